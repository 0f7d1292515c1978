<#
.SYNOPSIS
    Benchmarks Measure-DockOptImage against 'docker save IMAGE > /dev/null' (the export every analyser must read),
    its peak memory growth, and the per-layer cache on a second image that shares the base layers.
.DESCRIPTION
    For -Runs rounds, alternating: the peer ('docker save IMAGE > /dev/null', wall time) and DockOpt (a full analysis
    with -NoLayerCache in a fresh pwsh process; wall time of Measure-DockOptImage only, the process's CPU time, and the
    growth of its peak RSS (VmHWM after minus VmRSS before)). Prints medians and the ratio.
    Then the cache: an image derived from IMAGE (one small extra layer) is measured in a process that analysed IMAGE
    first (its layers cached) and in one with -NoLayerCache, alternating; prints the medians and the saving.
    The machine is shared and noisy: read the ratios, and the CPU seconds, which noise affects less than wall time.
.EXAMPLE
    dotnet pwsh bench/analysis.ps1 -ModulePath ./out/DockOpt/DockOpt.psd1 -Image dockopt/python:3.11 -Runs 5
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [string] $Image = 'dockopt/python:3.11',
    [int] $Runs = 5,
    [switch] $SkipCache,
    # internal: child-process mode
    [string] $Child,
    [string] $Warm
)
$ErrorActionPreference = 'Stop'

if ($Child) {
    Import-Module $ModulePath
    $ProgressPreference = 'SilentlyContinue'
    if ($Warm) { $null = Measure-DockOptImage $Warm }
    [GC]::Collect()
    $rss = [long](((Get-Content /proc/self/status | Select-String '^VmRSS:').Line -replace '\D', '')) * 1024
    $cpu0 = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalSeconds
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $a = if ($Warm) { Measure-DockOptImage $Child } else { Measure-DockOptImage $Child -NoLayerCache }
    $sw.Stop()
    $cpu = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalSeconds - $cpu0
    $hwm = [long](((Get-Content /proc/self/status | Select-String '^VmHWM:').Line -replace '\D', '')) * 1024
    [pscustomobject]@{
        Seconds = $sw.Elapsed.TotalSeconds; CpuSeconds = $cpu; PeakGrowth = $hwm - $rss
        FileCount = $a.FileCount; TotalSize = $a.TotalSize; CachedLayers = $a.CachedLayers
    } | ConvertTo-Json -Compress
    return
}

function Median([double[]] $x) { $s = $x | Sort-Object; $n = $s.Count; if ($n % 2) { $s[($n - 1) / 2] } else { ($s[$n / 2 - 1] + $s[$n / 2]) / 2 } }
function Invoke-Child([string] $Img, [string] $WarmImg) {
    $argsList = @('pwsh', '-NoProfile', '-File', $PSCommandPath, '-ModulePath', $ModulePath, '-Child', $Img)
    if ($WarmImg) { $argsList += @('-Warm', $WarmImg) }
    $out = & dotnet @argsList
    if ($LASTEXITCODE -ne 0) { throw "child failed: $out" }
    return ($out | Select-Object -Last 1 | ConvertFrom-Json)
}

$ModulePath = (Resolve-Path $ModulePath).Path
$size = [long](& docker image inspect $Image --format '{{.Size}}')
Write-Host ("Image {0}: {1:N0} bytes, engine {2}, {3} CPUs, load {4}" -f $Image, $size, (& docker version --format '{{.Server.Version}}'), [Environment]::ProcessorCount, ((Get-Content /proc/loadavg) -split ' ')[0])

$peer = @(); $ours = @(); $cpu = @(); $mem = @(); $files = 0
function Invoke-Peer {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & bash -c "docker save '$Image' > /dev/null"
    $sw.Stop()
    if ($LASTEXITCODE -ne 0) { throw 'docker save failed' }
    return $sw.Elapsed.TotalSeconds
}
for ($i = 1; $i -le $Runs; $i++) {
    # Alternate which side goes first: each export leaves ~1 GB of page cache and write-back behind it.
    if ($i % 2) { $peer += Invoke-Peer; $r = Invoke-Child $Image $null }
    else { $r = Invoke-Child $Image $null; $peer += Invoke-Peer }
    $ours += $r.Seconds; $cpu += $r.CpuSeconds; $mem += $r.PeakGrowth; $files = $r.FileCount
    Write-Host ("run {0}: docker save {1,7:N2} s | Measure-DockOptImage {2,7:N2} s (cpu {3:N2} s, peak RSS +{4:N0} MB, {5:N0} files)" -f $i, $peer[-1], $r.Seconds, $r.CpuSeconds, ($r.PeakGrowth / 1MB), $r.FileCount)
}
$mp = Median $peer; $mo = Median $ours
Write-Host ''
Write-Host ("median docker save > /dev/null : {0:N2} s" -f $mp)
Write-Host ("median Measure-DockOptImage    : {0:N2} s   (cpu {1:N2} s)" -f $mo, (Median $cpu))
Write-Host ("ratio DockOpt / docker save    : {0:N2}   (target <= 1.3)" -f ($mo / $mp))
Write-Host ("peak RSS growth (median / max) : {0:N0} MB / {1:N0} MB   (target <= 300 MB)" -f ((Median $mem) / 1MB), (($mem | Measure-Object -Maximum).Maximum / 1MB))

if ($SkipCache) { return }

# Cache: an image sharing all of $Image's layers plus one small layer of its own.
$derived = "dockopt-analysis-bench-$([guid]::NewGuid().ToString('n').Substring(0, 8)):derived"
$ctx = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
New-Item -ItemType Directory $ctx | Out-Null
Set-Content (Join-Path $ctx 'Dockerfile') "FROM $Image`nRUN echo derived > /derived.txt"
$env:DOCKER_BUILDKIT = '0'
& docker build -q -t $derived $ctx | Out-Null
Remove-Item -Recurse -Force $ctx
try {
    $cold = @(); $hot = @(); $coldCpu = @(); $hotCpu = @(); $cached = 0
    for ($i = 1; $i -le [Math]::Max(3, $Runs); $i++) {
        if ($i % 2) { $c = Invoke-Child $derived $null; $w = Invoke-Child $derived $Image }
        else { $w = Invoke-Child $derived $Image; $c = Invoke-Child $derived $null }
        $cold += $c.Seconds; $coldCpu += $c.CpuSeconds; $hot += $w.Seconds; $hotCpu += $w.CpuSeconds; $cached = $w.CachedLayers
        Write-Host ("cache run {0}: no cache {1,7:N2} s (cpu {2:N2} s) | base layers cached {3,7:N2} s (cpu {4:N2} s, {5} layers from cache)" -f $i, $c.Seconds, $c.CpuSeconds, $w.Seconds, $w.CpuSeconds, $w.CachedLayers)
    }
    $again = Invoke-Child $Image $Image
    Write-Host ("same image again in one session: {0:N2} s (cpu {1:N2} s), {2} layers from cache, no export needed" -f $again.Seconds, $again.CpuSeconds, $again.CachedLayers)
    Write-Host ''
    Write-Host ("second image sharing the base: median {0:N2} s without cache, {1:N2} s with the base cached (saving {2:P0} wall, {3:P0} cpu; {4} of its layers from cache)" -f (Median $cold), (Median $hot), (1 - (Median $hot) / (Median $cold)), (1 - (Median $hotCpu) / (Median $coldCpu)), $cached)
}
finally {
    & docker image rm -f $derived *> $null
}
