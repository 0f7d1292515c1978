#!/usr/bin/env pwsh
<#
.SYNOPSIS
    DockOpt's demo: the seeds' container pipeline on the Flask example, end to end, through examples/ci/pipeline.ps1.
.DESCRIPTION
    Runs the same script the CI templates call (examples/ci/pipeline.ps1 -Stage All) on examples/flask-api:
    builds the single- and multi-stage images (BuildKit where the engine has it), compares them, measures both (score
    and top recommendations), lints both Dockerfiles, runs the example's image tests on the multi-stage image, updates
    the vulnerability database when the network allows (offline it says so and scans secrets and configuration only),
    publishes the multi-stage image to the local registry build.ps1 Bootstrap starts (127.0.0.1:5000) under latest,
    the git SHA and the module version, writes report.html, report.md, size-report.csv, lint.sarif, junit.xml,
    scan.sarif and summary.json, appends to history.jsonl, and ends with a one-screen summary that names the report
    and states the measured reduction beside the seeds' -88 %.

    When the reduction stays below the target, the demo says why, measured: the multi-stage image's largest layers
    and what they add.

    The Dockerfiles default to the public base images (python:3.11, python:3.11-slim). Where a public base is not
    present locally, the demo passes the local bases that build.ps1 Bootstrap creates (dockopt/python:3.11,
    dockopt/python:3.11-slim) as build arguments.
.PARAMETER ModulePath
    The DockOpt module to import (out/DockOpt/DockOpt.psd1 after build.ps1 Build).
.PARAMETER ReportPath
    Where the reports and history.jsonl go (default: reports/ at the repository root).
.PARAMETER Registry
    The registry to publish to (default 127.0.0.1:5000; publishing is skipped, and said so, when nothing listens).
.PARAMETER BaseNamespace
    The namespace of Bootstrap's local base images (default dockopt).
.PARAMETER ImageName
    The demo's image name (default dockopt-demo/flask-api; :single-stage and :multi-stage are appended).
.EXAMPLE
    dotnet pwsh ./examples/Demo.ps1 -ModulePath ./out/DockOpt/DockOpt.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ReportPath = (Join-Path $PSScriptRoot '../reports'),
    [string] $Registry = '127.0.0.1:5000',
    [string] $BaseNamespace = 'dockopt',
    [string] $ImageName = 'dockopt-demo/flask-api',
    [double] $TargetReduction = 88
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$sw = [Diagnostics.Stopwatch]::StartNew()

$ModulePath = (Resolve-Path $ModulePath).ProviderPath
Import-Module $ModulePath -Force
$null = New-Item -ItemType Directory -Force -Path $ReportPath
$ReportPath = (Resolve-Path $ReportPath).ProviderPath

# The public base when it exists locally, else the local stand-in.
function Select-Base([string] $Public, [string] $Local) {
    if (Get-DockOptImage -Name $Public -ErrorAction SilentlyContinue) { return $Public }
    if (Get-DockOptImage -Name $Local -ErrorAction SilentlyContinue) { return $Local }
    throw "Neither $Public nor $Local is available locally: run './build.ps1 Bootstrap' first."
}
$buildArg = @{
    BASE_IMAGE    = Select-Base 'python:3.11' "$BaseNamespace/python:3.11"
    RUNTIME_IMAGE = Select-Base 'python:3.11-slim' "$BaseNamespace/python:3.11-slim"
}
Write-Host "==> DockOpt demo: examples/flask-api on $($buildArg.BASE_IMAGE) (single-stage) and $($buildArg.RUNTIME_IMAGE) (multi-stage runtime)" -ForegroundColor Cyan

# Publish only when the local registry answers.
$hostPort = $Registry -split ':'
$listening = $false
$probe = [System.Net.Sockets.TcpClient]::new()
try { $probe.Connect($hostPort[0], [int]($hostPort[1] ?? 80)); $listening = $true } catch { } finally { $probe.Dispose() }
$version = (Import-PowerShellDataFile (Join-Path (Split-Path $ModulePath) 'DockOpt.psd1')).ModuleVersion

$pipelineArgs = @{
    Stage           = 'All'
    ModulePath      = $ModulePath
    ContextPath     = Join-Path $PSScriptRoot 'flask-api'
    BuildArg        = $buildArg
    ImageName       = $ImageName
    ReportPath      = $ReportPath
    Version         = $version
    TargetReduction = $TargetReduction
    ShowProgress    = $true
    FailOn          = 'Critical'
}
if ($listening) { $pipelineArgs.Registry = $Registry; $pipelineArgs.Repository = $ImageName; $pipelineArgs.Force = $true }
else { Write-Host "    publish: nothing listens on $Registry (run './build.ps1 Bootstrap'); the demo publishes nothing" -ForegroundColor Yellow }

# CI-native output is for CI runners; here the pipeline talks to the console.
$env:DOCKOPT_CI = 'off'
& (Join-Path $PSScriptRoot 'ci/pipeline.ps1') @pipelineArgs

$summary = Get-Content -Raw (Join-Path $ReportPath 'summary.json') | ConvertFrom-Json
if ($summary.ReductionPercent -lt $TargetReduction) {
    # Say why, measured: the multi-stage image's largest layers and what they add.
    $a = Measure-DockOptImage "$($ImageName):multi-stage"
    Write-Host ("  why        -{0}% < -{1}%: the multi-stage image is {2:N1} MB; its largest layers:" -f $summary.ReductionPercent, $TargetReduction, ($a.FinalSize / 1e6)) -ForegroundColor Yellow
    $a.Layers | Sort-Object Size -Descending | Select-Object -First 4 | ForEach-Object {
        Write-Host ('             {0,8:N1} MB  {1}' -f ($_.Size / 1e6), ($_.CreatedBy -replace '\s+', ' ').Substring(0, [Math]::Min(100, ($_.CreatedBy -replace '\s+', ' ').Length)))
    }
    $pkgs = @(Get-DockOptPackage "$($ImageName):multi-stage" -ErrorAction SilentlyContinue)
    foreach ($g in $pkgs | Group-Object Layer | Sort-Object Count -Descending | Select-Object -First 2) {
        Write-Host ('             layer {0}: {1} packages, e.g. {2}' -f $g.Name, $g.Count, (($g.Group | Select-Object -First 6 | ForEach-Object Name) -join ', '))
    }
}
Write-Host ("==> Demo finished in {0:0.0} s; report: {1}" -f $sw.Elapsed.TotalSeconds, $summary.Report) -ForegroundColor Green
