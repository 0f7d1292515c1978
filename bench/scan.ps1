# Full security scan (packages, secrets in every layer, config checks) of a large image vs the bare export the scan
# reads (`docker save IMAGE > /dev/null`), alternating, several runs; prints medians and the ratio (target <= 1.5).
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [string] $Image = 'dockopt/python:3.11',
    [int] $Runs = 5
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$size = [long](& docker image inspect $Image --format '{{.Size}}')
"Image $Image, $([math]::Round($size / 1MB)) MiB, $Runs runs each, alternating"

function Median([double[]] $x) { $s = $x | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

# warm-up (page cache, engine) for both sides
& bash -c "docker save '$Image' > /dev/null"
$null = Invoke-DockOptScan $Image -NoTrivy -WarningAction SilentlyContinue

$save = @(); $scan = @(); $report = $null
for ($i = 1; $i -le $Runs; $i++) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & bash -c "docker save '$Image' > /dev/null"
    if ($LASTEXITCODE -ne 0) { throw 'docker save failed' }
    $save += $sw.Elapsed.TotalSeconds
    $sw.Restart()
    $report = Invoke-DockOptScan $Image -NoTrivy -WarningAction SilentlyContinue
    $scan += $sw.Elapsed.TotalSeconds
    "run {0}: docker save {1:0.00} s, Invoke-DockOptScan {2:0.00} s" -f $i, $save[-1], $scan[-1]
}
$ms = Median $save; $mc = Median $scan
"median docker save > /dev/null : {0:0.00} s" -f $ms
"median Invoke-DockOptScan      : {0:0.00} s  ({1} packages, {2} findings, score {3})" -f $mc, $report.PackageCount, @($report.Findings).Count, $report.Score
"ratio scan/save                : {0:0.00}" -f ($mc / $ms)
