# Package inventory (Get-DockOptPackage: dpkg, rpm, Python, npm and lock files, Java archives, gems, composer, Go and
# cargo-auditable binaries) of a large image vs the bare export it reads (`docker save IMAGE > /dev/null`), alternating,
# several runs; prints medians and the ratio (target <= 1.2, issue 16 item 6).
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

& bash -c "docker save '$Image' > /dev/null"
$null = Get-DockOptPackage $Image

$save = @(); $pkg = @(); $count = 0
for ($i = 1; $i -le $Runs; $i++) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & bash -c "docker save '$Image' > /dev/null"
    if ($LASTEXITCODE -ne 0) { throw 'docker save failed' }
    $save += $sw.Elapsed.TotalSeconds
    $sw.Restart()
    $count = @(Get-DockOptPackage $Image).Count
    $pkg += $sw.Elapsed.TotalSeconds
    "run {0}: docker save {1:0.00} s, Get-DockOptPackage {2:0.00} s" -f $i, $save[-1], $pkg[-1]
}
$ms = Median $save; $mp = Median $pkg
"median docker save > /dev/null : {0:0.00} s" -f $ms
"median Get-DockOptPackage      : {0:0.00} s  ({1} packages)" -f $mp, $count
"ratio packages/save            : {0:0.00}" -f ($mp / $ms)
