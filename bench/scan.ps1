# Full security scan (packages, vulnerabilities from an OSV database, secrets in every layer, config checks) of a large
# image vs the bare export the scan reads (`docker save IMAGE > /dev/null`), alternating, several runs; prints medians,
# the database load time separately, and the ratio (target <= 1.3).
# -VulnerabilityDatabase: a database folder as Update-DockOptVulnerabilityDatabase writes it (e.g. with Debian and PyPI);
# default: the default database. Without any database the scan is run with -Scanner Secret,Config.
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [string] $Image = 'dockopt/python:3.11',
    [string[]] $VulnerabilityDatabase,
    [int] $Runs = 5
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$size = [long](& docker image inspect $Image --format '{{.Size}}')
"Image $Image, $([math]::Round($size / 1MB)) MiB, $Runs runs each, alternating"

function Median([double[]] $x) { $s = $x | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

$scanArgs = @{ NoTrivy = $true; WarningAction = 'SilentlyContinue' }
if ($VulnerabilityDatabase) { $scanArgs.VulnerabilityDatabase = $VulnerabilityDatabase }
elseif (-not (Test-Path (Join-Path ([DockOpt.Engine.Security.VulnerabilityDatabaseStore]::DefaultPath) '*/all.zip') -ErrorAction SilentlyContinue)) {
    'No vulnerability database: scanning secrets and configuration only.'
    $scanArgs.Scanner = 'Secret', 'Config'
}

# warm-up (page cache, engine) for both sides
& bash -c "docker save '$Image' > /dev/null"
$null = Invoke-DockOptScan $Image @scanArgs

$save = @(); $scan = @(); $load = @(); $report = $null
for ($i = 1; $i -le $Runs; $i++) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & bash -c "docker save '$Image' > /dev/null"
    if ($LASTEXITCODE -ne 0) { throw 'docker save failed' }
    $save += $sw.Elapsed.TotalSeconds
    $sw.Restart()
    $report = Invoke-DockOptScan $Image @scanArgs
    $scan += $sw.Elapsed.TotalSeconds
    $load += $report.DatabaseLoadSeconds
    "run {0}: docker save {1:0.00} s, Invoke-DockOptScan {2:0.00} s (database load {3:0.000} s)" -f $i, $save[-1], $scan[-1], $load[-1]
}
$ms = Median $save; $mc = Median $scan; $ml = Median $load
"median docker save > /dev/null : {0:0.00} s" -f $ms
"median Invoke-DockOptScan      : {0:0.00} s  ({1} packages, {2} vulnerabilities, {3} findings, score {4}, outcome {5})" -f $mc, $report.PackageCount, $report.VulnerabilityCount, @($report.Findings).Count, $report.Score, $report.Outcome
"median database load           : {0:0.000} s  ({1} records of the image's ecosystems in {2})" -f $ml, $report.RecordCount, $report.Database
"ratio scan/save                : {0:0.00}  (without the database load {1:0.00})" -f ($mc / $ms), (($mc - $ml) / $ms)
