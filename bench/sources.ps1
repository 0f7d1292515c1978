<#
.SYNOPSIS
    Benchmarks Measure-DockOptImage docker://… (read straight from the registry) against what a user does without it:
    'docker pull' of the image followed by 'docker save IMAGE > /dev/null' (the export every analyser of a local image
    reads); then the same for a second image that shares the base, with DockOpt's persistent layer cache warm.
.DESCRIPTION
    Setup (once): the base (-Image, ~900 MB) is copied into a bench image with layers of its own (docker export |
    docker import, so the engine does not already hold them and 'docker pull' really downloads and extracts), a child
    image adds one small layer on top, both are pushed to the local registry (127.0.0.1:5000/dockopt-b-bench/*) and
    removed from the engine.
    Then -Runs rounds, alternating which side goes first:
      base : peer = docker pull base + docker save base > /dev/null (after docker rmi of the pulled tag);
             DockOpt = Measure-DockOptImage docker://…/base in a fresh pwsh with an EMPTY layer cache.
      child: peer = docker pull child (the base layers are in the engine: only the top layer comes) + docker save child;
             DockOpt = Measure-DockOptImage docker://…/child in a fresh pwsh whose cache holds the base (a previous
             Measure of the base, in another process: the on-disk cache, not memory).
    DockOpt's time is that of Measure-DockOptImage inside the child process (module load excluded, as in analysis.ps1);
    the peer's is the wall time of the docker CLI commands. Prints medians and ratios (targets <= 0.6 and <= 0.3).
.EXAMPLE
    dotnet pwsh bench/sources.ps1 -Runs 3
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [string] $Image = 'dockopt/python:3.11',
    [string] $Registry = '127.0.0.1:5000',
    [int] $Runs = 3,
    # internal: child-process mode
    [string] $Child,
    [string] $Cache
)
$ErrorActionPreference = 'Stop'

if ($Child) {
    $env:DOCKOPT_LAYER_CACHE = $Cache
    Import-Module $ModulePath
    $ProgressPreference = 'SilentlyContinue'
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $a = Measure-DockOptImage $Child
    $sw.Stop()
    [pscustomobject]@{ Seconds = $sw.Elapsed.TotalSeconds; TotalSize = $a.TotalSize; CompressedSize = $a.CompressedSize; CachedLayers = $a.CachedLayers } | ConvertTo-Json -Compress
    return
}

function Median([double[]] $x) { $s = $x | Sort-Object; $n = $s.Count; if ($n % 2) { $s[($n - 1) / 2] } else { ($s[$n / 2 - 1] + $s[$n / 2]) / 2 } }
function Invoke-Child([string] $Ref, [string] $CacheDir) {
    $out = & dotnet pwsh -NoProfile -File $PSCommandPath -ModulePath $ModulePath -Child $Ref -Cache $CacheDir
    if ($LASTEXITCODE -ne 0) { throw "child failed: $out" }
    return ($out | Select-Object -Last 1 | ConvertFrom-Json)
}
function Invoke-Timed([string] $Script) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & bash -c $Script
    if ($LASTEXITCODE -ne 0) { throw "failed: $Script" }
    return $sw.Elapsed.TotalSeconds
}

$ModulePath = (Resolve-Path $ModulePath).Path
$base = "$Registry/dockopt-b-bench/base:1"
$child = "$Registry/dockopt-b-bench/child:1"

# ---- setup: a base with layers the engine does not hold, and a child on it, in the registry only
$have = (& curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$Registry/v2/dockopt-b-bench/child/manifests/1") -eq '200'
if (-not $have) {
    Write-Host "Setup: copying $Image into $base (export | import) and building $child ..."
    $cid = & docker create $Image /bin/true
    & bash -c "docker export $cid | docker import - $base > /dev/null"
    & docker rm $cid | Out-Null
    $ctx = Join-Path ([IO.Path]::GetTempPath()) "dockopt-b-bench-$PID"
    New-Item -ItemType Directory -Force $ctx | Out-Null
    Set-Content "$ctx/Dockerfile" "FROM $base`nRUN echo dockopt-b-bench > /bench-child && date > /bench-built"
    $env:DOCKER_BUILDKIT = '0'
    & docker build -q -t $child $ctx | Out-Null
    Remove-Item -Recurse -Force $ctx
    & docker push -q $base | Out-Null
    & docker push -q $child | Out-Null
}
& docker rmi -f $child $base *> $null

$sizes = & curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$Registry/v2/dockopt-b-bench/base/manifests/1" | ConvertFrom-Json
$compressed = ($sizes.layers | Measure-Object -Property size -Sum).Sum
Write-Host ("Base {0} (from {1}): {2:N0} compressed bytes in the registry; engine {3}, {4} CPUs, load {5}" -f $base, $Image, $compressed,
    (& docker version --format '{{.Server.Version}}'), [Environment]::ProcessorCount, ((Get-Content /proc/loadavg) -split ' ')[0])

$cacheRoot = Join-Path ([IO.Path]::GetTempPath()) "dockopt-b-bench-cache-$PID"
$pb = @(); $ob = @(); $pc = @(); $oc = @()
try {
    for ($i = 1; $i -le $Runs; $i++) {
        $cache = "$cacheRoot/$i"
        $peer = {
            & docker rmi -f $child $base *> $null
            $t1 = Invoke-Timed "docker pull -q '$base' > /dev/null && docker save '$base' > /dev/null"
            $t2 = Invoke-Timed "docker pull -q '$child' > /dev/null && docker save '$child' > /dev/null"
            & docker rmi -f $child $base *> $null
            return @($t1, $t2)
        }
        $ours = {
            $r1 = Invoke-Child "docker://$base" $cache   # empty cache
            $r2 = Invoke-Child "docker://$child" $cache  # the base in the on-disk cache
            return @($r1, $r2)
        }
        if ($i % 2) { $p = & $peer; $o = & $ours } else { $o = & $ours; $p = & $peer }
        $pb += $p[0]; $pc += $p[1]; $ob += $o[0].Seconds; $oc += $o[1].Seconds
        Write-Host ("run {0}: base: pull+save {1,6:N2} s | Measure docker:// {2,6:N2} s   child: pull+save {3,6:N2} s | Measure docker:// {4,6:N2} s (cached layers {5})" -f
            $i, $p[0], $o[0].Seconds, $p[1], $o[1].Seconds, $o[1].CachedLayers)
        Remove-Item -Recurse -Force $cache -ErrorAction SilentlyContinue
    }
}
finally { Remove-Item -Recurse -Force $cacheRoot -ErrorAction SilentlyContinue }

Write-Host ''
Write-Host ("median base : docker pull + save {0,6:N2} s   Measure-DockOptImage docker:// {1,6:N2} s   ratio {2:N2} (target <= 0.6)" -f (Median $pb), (Median $ob), ((Median $ob) / (Median $pb)))
Write-Host ("median child: docker pull + save {0,6:N2} s   Measure-DockOptImage docker:// {1,6:N2} s   ratio {2:N2} (target <= 0.3)" -f (Median $pc), (Median $oc), ((Median $oc) / (Median $pc)))
