#!/usr/bin/env pwsh
<#
.SYNOPSIS
    DockOpt's demo: single-stage versus multi-stage, end to end, as objects.
.DESCRIPTION
    Builds both variants of both example services (examples/flask-api and examples/go-service) with
    Invoke-DockOptBuild, compares each pair with Compare-DockOptImage, prints the comparison table, writes
    reports/size-report.csv (one row per example) and appends the builds and comparisons to reports/history.jsonl
    (through $env:DOCKOPT_HISTORY), then prints the history summary.

    The Dockerfiles default to the public base images (python:3.11, python:3.11-slim, golang:1.22-bookworm). Where a
    public base is not present locally, the demo passes the local bases that build.ps1 Bootstrap creates
    (dockopt/python:3.11, dockopt/python:3.11-slim, dockopt/golang:bookworm) as build arguments.

    Exits with 1 when a reduction is below its target (Flask >= 70 %, Go >= 95 %).
.PARAMETER ModulePath
    The DockOpt module to import (out/DockOpt/DockOpt.psd1 after build.ps1 Build).
.PARAMETER ReportPath
    Where size-report.csv and history.jsonl go (default: reports/ at the repository root).
.PARAMETER NoCache
    Builds without the engine's build cache (cold builds).
.EXAMPLE
    dotnet pwsh ./examples/Demo.ps1 -ModulePath ./out/DockOpt/DockOpt.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ReportPath = (Join-Path $PSScriptRoot '../reports'),
    [switch] $NoCache
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ProgressPreference = 'SilentlyContinue'
$sw = [Diagnostics.Stopwatch]::StartNew()

Import-Module $ModulePath -Force
# The comparison table view (formats/Compare.Format.ps1xml), in case the manifest does not list it.
if (-not (Get-FormatData -TypeName DockOpt.ImageComparison)) {
    $format = Join-Path (Split-Path (Resolve-Path $ModulePath)) 'formats/Compare.Format.ps1xml'
    if (Test-Path $format) { Update-FormatData -PrependPath $format }
}
$null = New-Item -ItemType Directory -Force -Path $ReportPath
$ReportPath = (Resolve-Path $ReportPath).ProviderPath
# Every build and comparison of this session is recorded in the history file.
$env:DOCKOPT_HISTORY = Join-Path $ReportPath 'history.jsonl'

# The public base when it exists locally, else the local stand-in.
function Select-Base([string] $Public, [string] $Local) {
    if (Get-DockOptImage -Name $Public -ErrorAction SilentlyContinue) { return $Public }
    if (Get-DockOptImage -Name $Local -ErrorAction SilentlyContinue) { return $Local }
    throw "Neither $Public nor $Local is available locally: run './build.ps1 Bootstrap' first."
}

$examples = @(
    [pscustomobject]@{
        Name         = 'flask-api'
        MinReduction = 70
        BuildArg     = @{
            BASE_IMAGE    = Select-Base 'python:3.11' 'dockopt/python:3.11'
            RUNTIME_IMAGE = Select-Base 'python:3.11-slim' 'dockopt/python:3.11-slim'
        }
    }
    [pscustomobject]@{
        Name         = 'go-service'
        MinReduction = 95
        BuildArg     = @{ BASE_IMAGE = Select-Base 'golang:1.22-bookworm' 'dockopt/golang:bookworm' }
    }
)

$comparisons = foreach ($e in $examples) {
    $dir = Join-Path $PSScriptRoot $e.Name
    $builds = foreach ($variant in 'single-stage', 'multi-stage') {
        $dockerfile = Join-Path $dir "Dockerfile.$variant"
        # Only the build arguments a Dockerfile declares (docker warns about unused ones).
        $text = Get-Content -Raw $dockerfile
        $buildArgs = @{}
        foreach ($k in $e.BuildArg.Keys) { if ($text -match "(?m)^\s*ARG\s+$k\b") { $buildArgs[$k] = $e.BuildArg[$k] } }
        Write-Host "==> Building $($e.Name) ($variant)" -ForegroundColor Cyan
        Invoke-DockOptBuild -Path $dir -Dockerfile $dockerfile -Tag "dockopt-demo/$($e.Name):$variant" -BuildArg $buildArgs -NoCache:$NoCache
    }
    $c = $builds[0], $builds[1] | Compare-DockOptImage
    $c | Add-Member -NotePropertyName Example -NotePropertyValue $e.Name -PassThru |
        Add-Member -NotePropertyName MinReduction -NotePropertyValue $e.MinReduction -PassThru
}

Write-Host ''
Write-Host '==> Single-stage vs multi-stage' -ForegroundColor Cyan
$comparisons | Out-Host
$comparisons | Format-Table Example, ReferenceSize, DifferenceSize, SizeReduction, ReductionPercent, ReferenceBuildSeconds, DifferenceBuildSeconds, YearlySavings -AutoSize |
    Out-String -Width 200 | Out-Host

# The CSV report: one row per example, written to a temporary file and renamed into place.
$csv = Join-Path $ReportPath 'size-report.csv'
$tmp = "$csv.$PID.tmp"
$comparisons |
    Select-Object Example, ReferenceImage, ReferenceImageId, DifferenceImage, DifferenceImageId, ReferenceSize, DifferenceSize,
        SizeReduction, ReductionPercent, ReferenceLayerCount, DifferenceLayerCount, SharedLayerCount, ReferenceBuildSeconds,
        DifferenceBuildSeconds, StoragePricePerGBMonth, TransferPricePerGB, PullsPerMonth, ReferenceMonthlyCost,
        DifferenceMonthlyCost, MonthlySavings, YearlySavings, ComparedAt |
    Export-Csv -Path $tmp -NoTypeInformation -Encoding utf8
Move-Item -Force -Path $tmp -Destination $csv
Write-Host "==> Wrote $csv"

Write-Host "==> History ($env:DOCKOPT_HISTORY)" -ForegroundColor Cyan
Get-DockOptHistory -Name 'dockopt-demo/*' -Summary | Format-Table -AutoSize | Out-String -Width 200 | Out-Host

$failed = @($comparisons | Where-Object { $_.ReductionPercent -lt $_.MinReduction })
foreach ($f in $failed) {
    Write-Host "FAIL: $($f.Example) reduced by $($f.ReductionPercent)%, below the target of $($f.MinReduction)%." -ForegroundColor Red
}
foreach ($c in $comparisons | Where-Object { $_.ReductionPercent -ge $_.MinReduction }) {
    Write-Host ("OK: {0}: {1:N0} -> {2:N0} bytes, -{3}% (target >= {4}%)" -f $c.Example, $c.ReferenceSize, $c.DifferenceSize, $c.ReductionPercent, $c.MinReduction) -ForegroundColor Green
}
Write-Host ("==> Demo finished in {0:0.0} s" -f $sw.Elapsed.TotalSeconds)
exit ($failed.Count -gt 0 ? 1 : 0)
