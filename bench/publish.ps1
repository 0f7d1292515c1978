<#
.SYNOPSIS
    Publish-DockOptImage vs docker push against a local docker-registry (CNCF distribution) on 127.0.0.1.
.DESCRIPTION
    Image: dockopt/python:3.11-slim plus a random 150 MB layer (>= 200 MB). Two measurements, alternating which side
    goes first, several runs, medians and ratios (DockOpt / docker):
      1. first push of one tag into an empty registry (a fresh registry with empty storage per push, so neither side
         can mount or skip layers);
      2. re-push of the same 3 tags that are already in the registry: docker push --all-tags vs Publish-DockOptImage
         with the 3 tags. Layer bytes sent are counted from the registry's own access log (blob PATCH/PUT requests).
.EXAMPLE
    dotnet pwsh ./bench/publish.ps1 -ModulePath ./out/DockOpt/DockOpt.psd1 -Runs 5
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [int] $Runs = 5,
    [int] $RandomMB = 150
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath -Force

function Get-FreePort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop(); $p
}

function Start-BenchRegistry {
    $port = Get-FreePort
    $dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-bench-publish-$port"
    New-Item -ItemType Directory -Force -Path "$dir/data" | Out-Null
    Set-Content "$dir/config.yml" @"
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
"@
    $p = Start-Process docker-registry -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError "$dir/registry.log" -RedirectStandardOutput "$dir/out.log" -PassThru
    for ($i = 0; $i -lt 150; $i++) {
        if ((& curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/") -eq '200') { break }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ Host = "127.0.0.1:$port"; Dir = $dir; Log = "$dir/registry.log"; Process = $p }
}

function Stop-BenchRegistry($r) {
    Stop-Process -Id $r.Process.Id -Force -ErrorAction SilentlyContinue
    $r.Process.WaitForExit(5000) | Out-Null
    Remove-Item -Recurse -Force $r.Dir -ErrorAction SilentlyContinue
}

# Blob-upload requests (PATCH/PUT on blobs/uploads) and their request sizes, from the registry's access log.
function Get-BlobWrites($r, [int] $From) {
    $lines = @(Get-Content $r.Log | Select-Object -Skip $From | Where-Object { $_ -match 'http\.request\.method=(PATCH|PUT|POST)' -and $_ -match 'blobs/uploads' })
    $lines.Count
}

function Get-ManifestPuts($r, [int] $From) {
    @(Get-Content $r.Log | Select-Object -Skip $From | Where-Object { $_ -match 'http\.request\.method=PUT' -and $_ -match '/manifests/' }).Count
}

function Median([double[]] $v) {
    $s = $v | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$tag = "dockopt-bench-publish:$([guid]::NewGuid().ToString('n').Substring(0, 8))"
$ctx = Join-Path ([IO.Path]::GetTempPath()) "dockopt-bench-publish-ctx-$PID"
New-Item -ItemType Directory -Force -Path $ctx | Out-Null
Set-Content "$ctx/Dockerfile" "FROM dockopt/python:3.11-slim`nRUN head -c $($RandomMB)M /dev/urandom > /random.bin && echo $([guid]::NewGuid()) > /id"
$env:DOCKER_BUILDKIT = '0'
& docker build -q -t $tag $ctx | Out-Null
Remove-Item -Recurse -Force $ctx
$size = [long](& docker image inspect $tag --format '{{.Size}}')
Write-Host ("Image {0}: {1:N0} bytes ({2:N1} MB), {3} layers; {4} runs; engine {5}" -f $tag, $size, ($size / 1MB),
    (& docker image inspect $tag --format '{{len .RootFS.Layers}}'), $Runs, (& docker version --format '{{.Server.Version}}'))

# Warm-up: the first cmdlet call of a pwsh session pays JIT and module start-up once; measured and reported apart.
$warm = Start-BenchRegistry
try {
    $cold = Measure-Command { $null = Publish-DockOptImage -Name dockopt/busybox:latest -Registry $warm.Host -Repository 'warm/up' -Tag w }
    $coldAgain = Measure-Command { $null = Publish-DockOptImage -Name dockopt/busybox:latest -Registry $warm.Host -Repository 'warm/up' -Tag w }
    Write-Host ('Session start-up: first Publish-DockOptImage call {0:N2}s, the same call again {1:N2}s (busybox, 1 tag)' -f $cold.TotalSeconds, $coldAgain.TotalSeconds)
}
finally { Stop-BenchRegistry $warm }

$first = @{ dockopt = @(); docker = @() }
$repush = @{ dockopt = @(); docker = @() }
$repushWrites = @{ dockopt = @(); docker = @() }
$repushPuts = @{ dockopt = @(); docker = @() }
$dockoptBytes = @()
try {
    for ($i = 1; $i -le $Runs; $i++) {
        $order = if ($i % 2) { 'docker', 'dockopt' } else { 'dockopt', 'docker' }
        foreach ($side in $order) {
            # 1. First push into an empty registry.
            $reg = Start-BenchRegistry
            try {
                $repo = "$($reg.Host)/bench/app"
                if ($side -eq 'docker') {
                    & docker tag $tag "${repo}:t1"
                    $t = Measure-Command { & docker push -q "${repo}:t1" | Out-Null; if ($LASTEXITCODE) { throw 'docker push failed' } }
                    $first.docker += $t.TotalSeconds
                    & docker tag $tag "${repo}:t2"; & docker tag $tag "${repo}:t3"
                    & docker push -q --all-tags $repo | Out-Null
                }
                else {
                    $t = Measure-Command { $r = Publish-DockOptImage -Name $tag -Registry $reg.Host -Repository 'bench/app' -Tag t1 }
                    if ($r.Status -ne 'Pushed') { throw 'publish failed' }
                    $first.dockopt += $t.TotalSeconds
                    $null = Publish-DockOptImage -Name $tag -Registry $reg.Host -Repository 'bench/app' -Tag t1, t2, t3
                }
                # 2. Re-push of the 3 tags already in the registry (both sides, alternating, same registry).
                foreach ($s2 in $order) {
                    $mark = @(Get-Content $reg.Log).Count
                    if ($s2 -eq 'docker') {
                        foreach ($t in 't1', 't2', 't3') { & docker tag $tag "${repo}:$t" }
                        $t = Measure-Command { & docker push -q --all-tags $repo | Out-Null; if ($LASTEXITCODE) { throw 'docker push failed' } }
                        $repush.docker += $t.TotalSeconds
                    }
                    else {
                        $t = Measure-Command { $r = @(Publish-DockOptImage -Name $tag -Registry $reg.Host -Repository 'bench/app' -Tag t1, t2, t3) }
                        if (@($r | Where-Object Status -ne 'Unchanged').Count) { throw 're-publish did not report Unchanged' }
                        $repush.dockopt += $t.TotalSeconds
                        $dockoptBytes += ($r | Measure-Object BytesPushed -Sum).Sum
                    }
                    Start-Sleep -Milliseconds 300
                    $repushWrites[$s2] += Get-BlobWrites $reg $mark
                    $repushPuts[$s2] += Get-ManifestPuts $reg $mark
                }
            }
            finally {
                foreach ($t in 't1', 't2', 't3') { & docker image rm "$($reg.Host)/bench/app:$t" *> $null }
                Stop-BenchRegistry $reg
            }
        }
        $rdAvg = ($repush.docker | Select-Object -Last 2 | Measure-Object -Average).Average
        $roAvg = ($repush.dockopt | Select-Object -Last 2 | Measure-Object -Average).Average
        Write-Host ("run {0}: first push docker {1:N2}s dockopt {2:N2}s | re-push 3 tags docker {3:N2}s dockopt {4:N2}s" -f $i,
            $first.docker[-1], $first.dockopt[-1], $rdAvg, $roAvg)
    }
}
finally {
    & docker image rm $tag *> $null
}

$fd = Median $first.docker; $fo = Median $first.dockopt
$rd = Median $repush.docker; $ro = Median $repush.dockopt
$paired = Median (@(0..($first.docker.Count - 1)) | ForEach-Object { $first.dockopt[$_] / $first.docker[$_] })
Write-Host ''
Write-Host ('First push, median of the per-run ratios (DockOpt/docker, same run): {0:N3}' -f $paired)
Write-Host ('First push, 1 tag, empty registry ({0} runs each): docker push median {1:N2}s, Publish-DockOptImage median {2:N2}s, ratio {3:N3}' -f $first.docker.Count, $fd, $fo, ($fo / $fd))
Write-Host ('Re-push, 3 tags already there ({0} runs each): docker push --all-tags median {1:N2}s, Publish-DockOptImage median {2:N2}s, ratio {3:N3}' -f $repush.docker.Count, $rd, $ro, ($ro / $rd))
Write-Host ('Re-push, requests seen by the registry over all runs: blob uploads docker {0}, DockOpt {1}; manifest PUTs docker {2}, DockOpt {3}; DockOpt BytesPushed total {4}' -f
    ($repushWrites.docker | Measure-Object -Sum).Sum, ($repushWrites.dockopt | Measure-Object -Sum).Sum,
    ($repushPuts.docker | Measure-Object -Sum).Sum, ($repushPuts.dockopt | Measure-Object -Sum).Sum, ($dockoptBytes | Measure-Object -Sum).Sum)
[pscustomobject]@{
    ImageBytes = $size; Runs = $Runs
    FirstPushDockerMedian = $fd; FirstPushDockOptMedian = $fo; FirstPushRatio = $fo / $fd; FirstPushPairedRatioMedian = $paired
    RepushDockerMedian = $rd; RepushDockOptMedian = $ro; RepushRatio = $ro / $rd
    RepushDockOptBytes = ($dockoptBytes | Measure-Object -Sum).Sum
    RepushBlobWritesDocker = ($repushWrites.docker | Measure-Object -Sum).Sum
    RepushBlobWritesDockOpt = ($repushWrites.dockopt | Measure-Object -Sum).Sum
    RepushManifestPutsDocker = ($repushPuts.docker | Measure-Object -Sum).Sum
    RepushManifestPutsDockOpt = ($repushPuts.dockopt | Measure-Object -Sum).Sum
}
