#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The seeds' container pipeline with DockOpt, for any CI (the GitHub Actions and Azure Pipelines templates next to
    this script call it): build single- and multi-stage, compare, measure, lint, test, scan with a gate, publish
    (main branch only) and report.
.DESCRIPTION
    -Stage Verify builds both variants, compares them (history in <ReportPath>/history.jsonl), measures the multi-stage
    image, lints both Dockerfiles (objects and lint.sarif), tests the multi-stage image (objects and junit.xml), scans it
    (objects and scan.sarif) with the -FailOn gate, and writes report.html and report.md. The gate is evaluated last,
    after the reports are written, so a failing scan still leaves every artifact; the script then fails.
    -Stage Publish pushes the multi-stage image with the tags latest, the git SHA and -Version (ECR when -Registry is
    an ECR host: credentials from the AWS chain, e.g. the OIDC role of the CI job). It only runs on the main branch
    (GITHUB_REF / BUILD_SOURCEBRANCH = refs/heads/main) unless -Force is given.
    -Stage All runs both, then writes the report again with the publish results.

    DockOpt writes the CI-native output by itself: in GitHub Actions a step summary section per command, annotations
    for lint findings, failed tests and gates, the build log in groups and the key values as step outputs; in Azure
    Pipelines the logging commands. This script adds its own outputs: report, reduction_percent, published.
.EXAMPLE
    ./examples/ci/pipeline.ps1 -Stage Verify -ContextPath ./examples/flask-api -ImageName flask-api
.EXAMPLE
    ./examples/ci/pipeline.ps1 -Stage Publish -ImageName flask-api -Registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com -Repository flask-api -Version 1.4.0
#>
[CmdletBinding()]
param(
    [ValidateSet('All', 'Verify', 'Publish')]
    [string] $Stage = 'All',
    # The module: a path to DockOpt.psd1, or the name of an installed module.
    [string] $ModulePath = 'DockOpt',
    [string] $ContextPath = (Join-Path $PSScriptRoot '../flask-api'),
    [string] $SingleStageDockerfile = 'Dockerfile.single-stage',
    [string] $MultiStageDockerfile = 'Dockerfile.multi-stage',
    [hashtable] $BuildArg = @{},
    [string] $ImageName = 'app',
    # Image test spec (default: image-test.yaml in the context, when it exists).
    [string] $SpecPath,
    # Scan gate: fail on findings at or above this severity.
    [string] $FailOn = 'Critical',
    [string] $ReportPath = './dockopt-reports',
    [string] $Registry,
    [string] $Repository,
    [string] $Version = '0.1.0',
    # Publish even off the main branch.
    [switch] $Force
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ProgressPreference = 'SilentlyContinue'

Import-Module $ModulePath
New-Item -ItemType Directory -Force -Path $ReportPath | Out-Null
$ReportPath = (Resolve-Path $ReportPath).ProviderPath
$history = Join-Path $ReportPath 'history.jsonl'
$single = "$($ImageName):single-stage"
$multi = "$($ImageName):multi-stage"

# A step output of this script, next to DockOpt's own (GitHub multi-line syntax; Azure output variable).
function Set-PipelineOutput([string] $Name, [string] $Value) {
    if ($env:DOCKOPT_CI -eq 'off') { return }
    if ($env:GITHUB_ACTIONS -eq 'true' -and $env:GITHUB_OUTPUT) {
        $d = "ghadelimiter_$([guid]::NewGuid())"
        Add-Content -Path $env:GITHUB_OUTPUT -Value "$Name<<$d`n$Value`n$d" -Encoding utf8NoBOM
    }
    elseif ($env:TF_BUILD -eq 'True') {
        Write-Host "##vso[task.setvariable variable=$Name;isOutput=true]$($Value -replace '%', '%AZP25' -replace "`r", '%0D' -replace "`n", '%0A')"
    }
}

function Write-Report([object[]] $Results) {
    $Results | Export-DockOptReport -HistoryPath $history -OutFile (Join-Path $ReportPath 'report.html') -Title "DockOpt pipeline: $ImageName"
    $Results | Export-DockOptReport -OutFile (Join-Path $ReportPath 'report.md') -Title "DockOpt pipeline: $ImageName"
    Set-PipelineOutput 'report' (Join-Path $ReportPath 'report.html')
}

$results = [System.Collections.Generic.List[object]]::new()
$gateError = $null

if ($Stage -in 'All', 'Verify') {
    $ctx = (Resolve-Path $ContextPath).ProviderPath
    $singleFile = Join-Path $ctx $SingleStageDockerfile
    $multiFile = Join-Path $ctx $MultiStageDockerfile
    if (-not $SpecPath -and (Test-Path (Join-Path $ctx 'image-test.yaml'))) { $SpecPath = Join-Path $ctx 'image-test.yaml' }

    # Build both variants; the history feeds the trend charts of later runs.
    $s = Invoke-DockOptBuild -Path $ctx -Dockerfile $singleFile -Tag $single -BuildArg $BuildArg -HistoryPath $history
    $m = Invoke-DockOptBuild -Path $ctx -Dockerfile $multiFile -Tag $multi -BuildArg $BuildArg -HistoryPath $history
    $results.AddRange([object[]]@($s, $m))
    $comparison = $s, $m | Compare-DockOptImage -HistoryPath $history
    $results.Add($comparison)
    Set-PipelineOutput 'reduction_percent' ([string]$comparison.ReductionPercent)

    $results.AddRange([object[]]@(Measure-DockOptImage $multi))

    # Lint: findings as objects (annotations, summary) and SARIF for code scanning.
    $lint = @(Test-DockOptDockerfile -Path $singleFile, $multiFile)
    Test-DockOptDockerfile -Path $singleFile, $multiFile -Format Sarif -OutFile (Join-Path $ReportPath 'lint.sarif')
    $results.AddRange([object[]]$lint)

    # Image tests: objects and JUnit for test reporting in one run.
    $testArgs = @{ Image = $multi; OutputFormat = 'JUnit'; OutFile = (Join-Path $ReportPath 'junit.xml') }
    if ($SpecPath) { $testArgs.SpecPath = $SpecPath }
    $results.AddRange([object[]]@(Test-DockOptImage @testArgs))

    # Scan with the gate; the gate's error is kept until the reports are written.
    Invoke-DockOptScan $multi -Format Sarif -OutFile (Join-Path $ReportPath 'scan.sarif') -WarningAction SilentlyContinue
    try {
        Invoke-DockOptScan $multi -FailOn $FailOn -WarningAction SilentlyContinue | ForEach-Object { $results.Add($_) }
    }
    catch { $gateError = $_ }

    Write-Report $results.ToArray()
}

if ($Stage -in 'All', 'Publish' -and -not $gateError) {
    $onMain = $env:GITHUB_REF -eq 'refs/heads/main' -or $env:BUILD_SOURCEBRANCH -eq 'refs/heads/main'
    if (-not $Registry) { Write-Host 'Publish: no -Registry given; nothing to publish.' }
    elseif (-not ($onMain -or $Force)) { Write-Host "Publish: skipped off the main branch ($($env:GITHUB_REF ?? $env:BUILD_SOURCEBRANCH))." }
    else {
        $published = @(Publish-DockOptImage -Name $multi -Registry $Registry -Repository ($Repository ? $Repository : $ImageName) `
                -TagStrategy Latest, GitSha, SemVer -Version $Version -Confirm:$false)
        $results.AddRange([object[]]$published)
        Set-PipelineOutput 'published' (($published | ForEach-Object { "$($_.Reference)@$($_.Digest)" }) -join "`n")
        if ($Stage -eq 'All') { Write-Report $results.ToArray() }
    }
}

if ($gateError) { throw $gateError }
