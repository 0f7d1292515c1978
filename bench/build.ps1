<#
.SYNOPSIS
    Invoke-DockOptBuild vs docker build on the same Dockerfile and context, alternating, for both builders.
.DESCRIPTION
    The classic builder (DOCKER_BUILDKIT=0 docker build, the legacy builder, vs -Builder Classic) and BuildKit
    (DOCKER_BUILDKIT=1 /usr/bin/docker build, the 20.10 CLI's built-in client, vs -Builder BuildKit). Three cases each, each run -Runs times per side, the order of the two sides alternating from run to run:
      cold   every step rebuilt (--no-cache / -NoCache)
      warm   every step from the cache
      large  a context of -FileCount generated files of which .dockerignore excludes most (with an exception, so
             the excluded directories must still be walked), COPY . (cached)
    Prints the median wall time of each side, the ratio DockOpt/CLI, DockOpt's context packing throughput, and the
    machine's load average (1 minute) before and after each case: on a shared machine a ratio means little without it.
    The peer for both builders is the same CLI, -Cli (default /usr/bin/docker, Debian's 20.10 CLI, whose legacy
    builder path packs the context with moby's archive package and whose BuildKit client is built in).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [int] $Runs = 5,
    [int] $FileCount = 20000,
    [ValidateSet('Classic', 'BuildKit', 'Both')] [string] $Builder = 'Both',
    [string] $Cli = $(if (Test-Path /usr/bin/docker) { '/usr/bin/docker' } else { 'docker' })
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath -Force
$env:DOCKER_BUILDKIT = '0'

$work = Join-Path ([IO.Path]::GetTempPath()) ('dockopt-bench-build-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$tags = [System.Collections.Generic.List[string]]::new()

# The 1-minute load average (Linux); null elsewhere.
function Get-Load {
    if (-not (Test-Path /proc/loadavg)) { return $null }
    return [double]::Parse((Get-Content /proc/loadavg -Raw).Split(' ')[0], [cultureinfo]::InvariantCulture)
}

function Median([double[]] $v) {
    $s = $v | Sort-Object
    if ($s.Count % 2) { return $s[[int][math]::Floor($s.Count / 2)] }
    return ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

# BuildKit's progress prints "transferring context: 2.05kB" (decimal units); the last one is the bytes sent.
function ConvertFrom-HumanSize([string] $s) {
    if ($s -notmatch '^([0-9.]+)([kMG]?B)$') { return $null }
    $mult = @{ 'B' = 1; 'kB' = 1e3; 'MB' = 1e6; 'GB' = 1e9 }[$Matches[2]]
    return [long]([double]::Parse($Matches[1], [cultureinfo]::InvariantCulture) * $mult)
}

function Invoke-Case {
    param([string] $Name, [string] $Context, [switch] $NoCache, [string] $Builder = 'Classic')
    $cliTag = "dockopt-bench-build-cli-$($Name)-$($Builder.ToLower()):latest"
    $doTag = "dockopt-bench-build-do-$($Name)-$($Builder.ToLower()):latest"
    $tags.Add($cliTag); $tags.Add($doTag)
    $docker = $Cli
    $loadStart = Get-Load
    $env:DOCKER_BUILDKIT = if ($Builder -eq 'BuildKit') { '1' } else { '0' }
    # One untimed build per side first so the warm case really is all cached; with BuildKit it also tells the bytes
    # each side sent for the first upload of this context (later builds send only what changed: nothing here).
    $cliBytes = $null
    if ($Builder -eq 'BuildKit') {
        $out = & $docker build --progress=plain -t $cliTag $Context 2>&1
        $sent = @($out | ForEach-Object { "$_" } | Select-String 'transferring context: ([0-9.]+[kMG]?B)' | ForEach-Object { $_.Matches[0].Groups[1].Value })
        $cliBytes = ($sent | ForEach-Object { ConvertFrom-HumanSize $_ } | Measure-Object -Sum).Sum
    }
    else { $null = & $docker build -q -t $cliTag $Context }
    $firstOurs = Invoke-DockOptBuild -Path $Context -Tag $doTag -Builder $Builder
    $cli = [System.Collections.Generic.List[double]]::new()
    $ours = [System.Collections.Generic.List[double]]::new()
    $results = [System.Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $Runs; $i++) {
        $order = if ($i % 2) { 'dockopt', 'cli' } else { 'cli', 'dockopt' }
        foreach ($side in $order) {
            if ($side -eq 'cli') {
                $cliArgs = @('build', '-q', '-t', $cliTag)
                if ($NoCache) { $cliArgs += '--no-cache' }
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $null = & $docker @cliArgs $Context
                $sw.Stop()
                if ($LASTEXITCODE -ne 0) { throw "docker build failed ($Name)" }
                $cli.Add($sw.Elapsed.TotalSeconds)
            }
            else {
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $r = Invoke-DockOptBuild -Path $Context -Tag $doTag -NoCache:$NoCache -Builder $Builder
                $sw.Stop()
                $ours.Add($sw.Elapsed.TotalSeconds)
                $results.Add($r)
            }
        }
    }
    $mc = Median $cli.ToArray()
    $md = Median $ours.ToArray()
    $last = $results[-1]
    [pscustomobject]@{
        Builder          = $Builder
        Case             = $Name
        Runs             = $Runs
        CliMedianS       = [math]::Round($mc, 3)
        DockOptMedianS   = [math]::Round($md, 3)
        Ratio            = [math]::Round($md / $mc, 3)
        ContextEntries   = $last.ContextEntryCount
        ContextMB        = [math]::Round($last.ContextBytes / 1MB, 2)
        ContextMedianS   = [math]::Round((Median ($results | ForEach-Object ContextSeconds)), 3)
        ContextMBps       = [math]::Round(($last.ContextBytes / 1MB) / [math]::Max(0.001, (Median ($results | ForEach-Object ContextSeconds))), 1)
        ContextBytes     = $last.ContextBytes
        FirstBytes       = $firstOurs.ContextBytes
        CliFirstBytes    = $cliBytes
        CacheHits        = $last.CacheHits
        Steps            = $last.StepCount
        LoadStart        = $loadStart
        LoadEnd          = Get-Load
    }
}

try {
    # Small service: a RUN that does real work, a COPY of a few files.
    $app = Join-Path $work 'app'
    New-Item -ItemType Directory -Path (Join-Path $app 'src') -Force | Out-Null
    Set-Content (Join-Path $app 'Dockerfile') @"
FROM dockopt/busybox:latest
RUN for i in `$(seq 1 200); do echo line `$i >> /generated.txt; done && dd if=/dev/urandom of=/blob bs=1024 count=512 2>/dev/null
COPY src/ /app/
RUN cat /app/*.txt | wc -l > /app/count
CMD ["cat", "/app/count"]
"@
    1..50 | ForEach-Object { Set-Content (Join-Path $app "src/file$_.txt") ("x" * 2000) }

    # Large context: $FileCount files in 200 directories; .dockerignore drops the *.tmp and *.log files (about 90 %)
    # and keeps one exception, so every directory is walked and every name matched.
    $large = Join-Path $work 'large'
    New-Item -ItemType Directory -Path $large | Out-Null
    Set-Content (Join-Path $large 'Dockerfile') "FROM dockopt/busybox:latest`nCOPY . /ctx/`n"
    Set-Content (Join-Path $large '.dockerignore') "**/*.tmp`n**/*.log`n!dir7/keep-7.log`nDockerfile`n"
    $perDir = [math]::Ceiling($FileCount / 200)
    $n = 0
    for ($d = 0; $d -lt 200 -and $n -lt $FileCount; $d++) {
        $dir = Join-Path $large "dir$d"
        [void][IO.Directory]::CreateDirectory($dir)
        for ($f = 0; $f -lt $perDir -and $n -lt $FileCount; $f++, $n++) {
            $ext = switch ($f % 10) { 0 { 'txt' } { $_ -in 1..5 } { 'tmp' } default { 'log' } }
            [IO.File]::WriteAllText((Join-Path $dir "f$f.$ext"), "file $n of the benchmark context`n")
        }
    }
    [IO.File]::WriteAllText((Join-Path $large 'dir7/keep-7.log'), "kept by an exception`n")
    Write-Host "Generated $n files in $large"

    $builders = if ($Builder -eq 'Both') { 'Classic', 'BuildKit' } else { , $Builder }
    $rows = @(foreach ($b in $builders) {
        Invoke-Case -Name cold -Context $app -NoCache -Builder $b
        Invoke-Case -Name warm -Context $app -Builder $b
        Invoke-Case -Name large -Context $large -Builder $b
    })
    # Packing alone (walk, .dockerignore matching, tar into a null stream), through the engine's packer.
    $engineAsm = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'DockOpt.Engine' } | Select-Object -First 1
    $packer = $engineAsm.GetType('DockOpt.Engine.Building.BuildContext')
    $pack = foreach ($i in 1..$Runs) {
        $ctx = $packer.GetMethod('Prepare').Invoke($null, [object[]]@([string]$large, $null, [string]$large))
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $bytes = $ctx.GetType().GetMethod('WriteTo').Invoke($ctx, [object[]]@([IO.Stream]::Null, [Threading.CancellationToken]::None, $null))
        $sw.Stop()
        [pscustomobject]@{ Seconds = $sw.Elapsed.TotalSeconds; Bytes = $bytes; Entries = $ctx.EntryCount }
    }
    $packS = Median ($pack | ForEach-Object Seconds)

    $rows | Format-Table -AutoSize | Out-String -Width 220 | Write-Host
    $cliVersion = (& $Cli version --format '{{.Client.Version}}' 2>$null) -join ''
    Write-Host "Peer: $Cli $cliVersion ($([Environment]::ProcessorCount) CPUs); load average (1 min) before and after each case in brackets."
    foreach ($r in $rows) {
        Write-Host ("{8,-8} {0,-6} median DockOpt {1:0.000} s vs docker CLI {2:0.000} s: ratio {3:0.000} [load {12}-{13}]; context {4} entries, {5} MB in {6:0.000} s ({7} MB/s); first upload: DockOpt {9} bytes, CLI {10}; last DockOpt upload {11} bytes" -f
            $r.Case, $r.DockOptMedianS, $r.CliMedianS, $r.Ratio, $r.ContextEntries, $r.ContextMB, $r.ContextMedianS, $r.ContextMBps, $r.Builder, $r.FirstBytes, $(if ($null -ne $r.CliFirstBytes) { "~$($r.CliFirstBytes)" } else { 'n/a (classic: the whole tar every time)' }), $r.ContextBytes, $r.LoadStart, $r.LoadEnd)
    }
    Write-Host ("pack   {0} files walked, {1} entries / {2:0.00} MB packed into a null stream: median {3:0.000} s = {4:0} files/s, {5:0.0} MB/s" -f
        $n, $pack[0].Entries, ($pack[0].Bytes / 1MB), $packS, ($n / $packS), (($pack[0].Bytes / 1MB) / $packS))
    Write-Host '(ContextSeconds: from the request until the engine answered, which includes the engine unpacking the context.)'
}
finally {
    foreach ($t in $tags) { & docker image rm -f $t *> $null }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
