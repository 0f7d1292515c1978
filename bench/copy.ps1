<#
.SYNOPSIS
    Benchmarks Copy-DockOptImage against 'skopeo copy' registry to registry: the local registry (127.0.0.1:5000) to a
    second CNCF distribution registry started here on a free port, whose storage is emptied before every timed copy (so
    each side uploads every blob, and neither can mount or skip one it copied in an earlier round).
.DESCRIPTION
    Cases (pushed to the local registry with the docker CLI when missing; one-layer comes from bench/sources.ps1's setup
    and is skipped with a warning until that has run):
      one-layer : 127.0.0.1:5000/dockopt-b-bench/base:1 (one 438 MB gzip layer; bench/sources.ps1 makes it)
      python    : 127.0.0.1:5000/dockopt-c-bench/python:3.11 (dockopt/python:3.11 pushed: 2 layers, 438 MB)
      six-layer : 127.0.0.1:5000/dockopt-c-bench/six:1 (FROM scratch, six layers of 32 MiB random bytes)
    Rounds alternate which side goes first. DockOpt's time is Copy-DockOptImage in this (warm) session, after one untimed
    copy per case; skopeo's is the wall time of 'skopeo copy' (a fresh process, as it is used). Both verify digests
    (skopeo checks what it reads; DockOpt hashes the stream and the registry checks the PUT ?digest=). Prints per-case
    medians, the ratio DockOpt / skopeo (target <= 1.1) and the load average before and after.
.EXAMPLE
    dotnet pwsh bench/copy.ps1 -Runs 5
.EXAMPLE
    dotnet pwsh bench/copy.ps1 -Case one-layer -Runs 7
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [string] $Registry = '127.0.0.1:5000',
    [int] $Runs = 5,
    [string[]] $Case = @('one-layer', 'python', 'six-layer')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$ProgressPreference = 'SilentlyContinue'

if (-not (Get-Command skopeo -ErrorAction SilentlyContinue)) { throw 'skopeo is not installed (build.ps1 Bootstrap installs it)' }
if (-not (Get-Command docker-registry -ErrorAction SilentlyContinue)) { throw 'docker-registry is not installed (build.ps1 Bootstrap installs it)' }

$cases = [ordered]@{
    'one-layer' = "$Registry/dockopt-b-bench/base:1"
    'python'    = "$Registry/dockopt-c-bench/python:3.11"
    'six-layer' = "$Registry/dockopt-c-bench/six:1"
}

function Test-InRegistry([string] $Ref) {
    $repo, $tag = ($Ref.Substring($Registry.Length + 1)) -split ':', 2
    (& curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' "http://$Registry/v2/$repo/manifests/$tag") -eq '200'
}

function Initialize-Case([string] $Name, [string] $Ref) {
    if (Test-InRegistry $Ref) { return $true }
    switch ($Name) {
        'one-layer' { Write-Warning "$Ref is not in the registry (bench/sources.ps1's setup pushes it): case skipped"; return $false }
        'python' { & docker tag dockopt/python:3.11 $Ref }
        'six-layer' {
            $dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-c-bench-six"
            New-Item -ItemType Directory -Force -Path $dir | Out-Null
            $lines = @('FROM scratch')
            for ($i = 1; $i -le 6; $i++) {
                $bytes = [byte[]]::new(32MB); [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
                [IO.File]::WriteAllBytes("$dir/part$i", $bytes)
                $lines += "COPY part$i /part$i"
            }
            Set-Content "$dir/Dockerfile" ($lines -join "`n")
            & docker build -q -t $Ref $dir | Out-Null
            Remove-Item -Recurse -Force $dir
        }
    }
    & docker push $Ref | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "docker push $Ref failed" }
    & docker rmi $Ref | Out-Null
    return $true
}

# The destination: a distribution registry on a free port, restarted with empty storage before each timed copy.
$l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
$dest = "127.0.0.1:$port"
$dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-c-copybench-$port"
$script:proc = $null
function Reset-Destination {
    if ($script:proc -and -not $script:proc.HasExited) { Stop-Process -Id $script:proc.Id -Force; $script:proc.WaitForExit(10000) | Out-Null }
    Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path "$dir/data" | Out-Null
    Set-Content "$dir/config.yml" "version: 0.1`nlog:`n  level: warn`nstorage:`n  filesystem:`n    rootdirectory: $dir/data`nhttp:`n  addr: $dest`n"
    $script:proc = Start-Process -FilePath docker-registry -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError "$dir/registry.err" -RedirectStandardOutput "$dir/registry.out" -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(15)
    while ((& curl -s -o /dev/null -w '%{http_code}' "http://$dest/v2/") -ne '200') {
        if ([DateTime]::UtcNow -gt $deadline) { throw "docker-registry did not start on $dest" }
        Start-Sleep -Milliseconds 100
    }
}

function Invoke-DockOpt([string] $Ref) {
    Reset-Destination
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $r = Copy-DockOptImage $Ref "$dest/bench/copy:1"
    $sw.Stop()
    if ($r.Status -ne 'Copied' -or $r.BlobsCopied -lt 2) { throw "Copy-DockOptImage did not copy every blob: $($r | Out-String)" }
    return $sw.Elapsed.TotalSeconds
}
function Invoke-Skopeo([string] $Ref) {
    Reset-Destination
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $out = & skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$Ref" "docker://$dest/bench/copy:1" 2>&1
    $sw.Stop()
    if ($LASTEXITCODE -ne 0) { throw "skopeo copy failed: $out" }
    return $sw.Elapsed.TotalSeconds
}
function Median([double[]] $x) { $s = $x | Sort-Object; $n = $s.Count; if ($n % 2) { $s[($n - 1) / 2] } else { ($s[$n / 2 - 1] + $s[$n / 2]) / 2 } }

$loadBefore = (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' '
$results = @()
try {
    foreach ($name in $Case) {
        $ref = $cases[$name]
        if (-not (Initialize-Case $name $ref)) { continue }
        $null = Invoke-DockOpt $ref; $null = Invoke-Skopeo $ref   # warm-up: JIT, page cache of the source blobs
        $d = [Collections.Generic.List[double]]::new(); $s = [Collections.Generic.List[double]]::new()
        for ($i = 0; $i -lt $Runs; $i++) {
            if ($i % 2 -eq 0) { $d.Add((Invoke-DockOpt $ref)); $s.Add((Invoke-Skopeo $ref)) }
            else { $s.Add((Invoke-Skopeo $ref)); $d.Add((Invoke-DockOpt $ref)) }
        }
        $md = Median $d; $ms = Median $s
        $results += [pscustomobject]@{
            Case = $name; Runs = $Runs
            DockOptMedianS = [math]::Round($md, 2); SkopeoMedianS = [math]::Round($ms, 2); Ratio = [math]::Round($md / $ms, 3)
            DockOptRuns = ($d | ForEach-Object { $_.ToString('0.00') }) -join ' '; SkopeoRuns = ($s | ForEach-Object { $_.ToString('0.00') }) -join ' '
        }
    }
}
finally {
    if ($script:proc -and -not $script:proc.HasExited) { Stop-Process -Id $script:proc.Id -Force; $script:proc.WaitForExit(10000) | Out-Null }
    Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue
}
$results | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
Write-Host "load average before: $loadBefore; after: $((Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ') ($([Environment]::ProcessorCount) cores)"
Write-Host "skopeo $((& skopeo --version) -replace '^skopeo version ', ''); targets: ratio <= 1.1 for every case"
