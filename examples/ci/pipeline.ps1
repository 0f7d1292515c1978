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
    [switch] $Force,
    # The seeds' target reduction (percent), stated beside the measured one in the summary.
    [double] $TargetReduction = 88,
    # Keep the cmdlets' progress bars (long cold builds and the database download show progress).
    [switch] $ShowProgress,
    # Skip Update-DockOptVulnerabilityDatabase (use the database as it is, or scan secrets and config only).
    [switch] $NoDatabaseUpdate
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not $ShowProgress) { $ProgressPreference = 'SilentlyContinue' }
$clock = [Diagnostics.Stopwatch]::StartNew()
# One line per step with the time since the start, so a long (cold) step is visible while it runs.
function Write-Step([string] $Message) { Write-Host ('[{0,6:0.0}s] {1}' -f $clock.Elapsed.TotalSeconds, $Message) -ForegroundColor Cyan }

Import-Module $ModulePath
New-Item -ItemType Directory -Force -Path $ReportPath | Out-Null
$ReportPath = (Resolve-Path $ReportPath).ProviderPath
$history = Join-Path $ReportPath 'history.jsonl'
$summary = [ordered]@{ Image = $ImageName; ReportPath = $ReportPath; TargetReduction = $TargetReduction }
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
    Write-Step "build $single ($SingleStageDockerfile; a cold build downloads and compiles, minutes)"
    $s = Invoke-DockOptBuild -Path $ctx -Dockerfile $singleFile -Tag $single -BuildArg $BuildArg -HistoryPath $history
    Write-Step "build $multi ($MultiStageDockerfile)"
    $m = Invoke-DockOptBuild -Path $ctx -Dockerfile $multiFile -Tag $multi -BuildArg $BuildArg -HistoryPath $history
    $results.AddRange([object[]]@($s, $m))
    Write-Step 'compare'
    $comparison = $s, $m | Compare-DockOptImage -HistoryPath $history
    $results.Add($comparison)
    Set-PipelineOutput 'reduction_percent' ([string]$comparison.ReductionPercent)
    $summary.SingleStage = [ordered]@{ Name = $single; Size = $comparison.ReferenceSize; CompressedSize = $comparison.ReferenceCompressedSize; ImageId = $comparison.ReferenceImageId; Builder = "$($s.Builder)"; Seconds = $s.DurationSeconds }
    $summary.MultiStage = [ordered]@{ Name = $multi; Size = $comparison.DifferenceSize; CompressedSize = $comparison.DifferenceCompressedSize; ImageId = $comparison.DifferenceImageId; Builder = "$($m.Builder)"; Seconds = $m.DurationSeconds }
    $summary.CostBasis = $comparison.CostBasis
    $summary.ReductionPercent = $comparison.ReductionPercent
    # The size comparison as CSV (one row per run), for spreadsheets.
    $csv = Join-Path $ReportPath 'size-report.csv'
    $comparison | Select-Object ReferenceImage, ReferenceImageId, DifferenceImage, DifferenceImageId, ReferenceSize, DifferenceSize,
        ReferenceCompressedSize, DifferenceCompressedSize, CostBasis, SizeReduction, ReductionPercent, ReferenceLayerCount, DifferenceLayerCount, SharedLayerCount, ReferenceBuildSeconds,
        DifferenceBuildSeconds, MonthlySavings, YearlySavings, ComparedAt |
        Export-Csv -Path "$csv.tmp" -NoTypeInformation -Encoding utf8
    Move-Item -Force -Path "$csv.tmp" -Destination $csv
    $summary.Csv = $csv

    Write-Step "measure $multi (score, recommendations); $single is measured beside the lint and the image tests"
    # The single-stage analysis runs in a thread job while the image tests mostly wait on their container.
    $moduleToLoad = (Test-Path $ModulePath) ? (Resolve-Path $ModulePath).ProviderPath : $ModulePath
    $singleJob = Start-ThreadJob -ScriptBlock { param($Module, $Image) Import-Module $Module; Measure-DockOptImage $Image } -ArgumentList $moduleToLoad, $single
    $multiAnalysis = Measure-DockOptImage $multi
    $results.Add($multiAnalysis)
    $summary.Recommendations = @($multiAnalysis.Recommendations | Sort-Object ScoreDeduction, EstimatedSavingsBytes -Descending |
            Select-Object -First 3 | ForEach-Object { "$($_.Id) $($_.Title)" })

    # Lint: findings as objects (annotations, summary) and SARIF for code scanning.
    Write-Step 'lint both Dockerfiles'
    $lint = @(Test-DockOptDockerfile -Path $singleFile, $multiFile -OutFile (Join-Path $ReportPath 'lint.sarif'))
    $results.AddRange([object[]]$lint)
    $summary.Lint = [ordered]@{ Findings = $lint.Count; SingleStage = @($lint | Where-Object Path -EQ $singleFile).Count; MultiStage = @($lint | Where-Object Path -EQ $multiFile).Count }

    # Image tests: objects and JUnit for test reporting in one run.
    Write-Step "image tests on $multi$(if ($SpecPath) { " ($(Split-Path -Leaf $SpecPath))" })"
    $testArgs = @{ Name = $multi; OutFile = (Join-Path $ReportPath 'junit.xml'); IncludeSummary = $true }
    if ($SpecPath) { $testArgs.SpecPath = $SpecPath }
    $tests = @(Test-DockOptImage @testArgs)
    $results.AddRange([object[]]$tests)
    $ts = $tests | Where-Object { $_ -is [DockOpt.ImageTestSummary] } | Select-Object -First 1
    if ($ts) { $summary.Tests = [ordered]@{ Total = $ts.Total; Passed = $ts.PassedCount; Failed = $ts.FailedCount; Errors = $ts.ErrorCount; Skipped = $ts.SkippedCount } }

    $singleAnalysis = Receive-Job -Job $singleJob -Wait -AutoRemoveJob -ErrorAction Stop | Select-Object -Last 1
    $results.Add($singleAnalysis)
    $summary.Score = [ordered]@{ MultiStage = $multiAnalysis.Score; SingleStage = $singleAnalysis.Score }
    $summary.SingleStageRecommendations = @($singleAnalysis.Recommendations | Sort-Object EstimatedSavingsBytes -Descending |
            Select-Object -First 3 | ForEach-Object { "$($_.Id) $($_.Title)" })

    # Scan with the gate; the gate's error is kept until the reports are written. The vulnerability database is
    # updated when the network allows; without one the scan covers secrets and configuration only, and says so.
    $scanners = 'Vulnerability', 'Secret', 'Config'
    $summary.Database = 'not updated (-NoDatabaseUpdate)'
    if (-not $NoDatabaseUpdate) {
        Write-Step 'update the vulnerability database (Debian, PyPI)'
        try {
            $upd = @(Update-DockOptVulnerabilityDatabase -Ecosystem Debian, PyPI -ErrorAction Stop)
            $summary.Database = "updated ($(@($upd).Count) ecosystems)"
        }
        catch {
            $summary.Database = "could not be updated: $($_.Exception.Message -replace '\s+', ' ')"
            Write-Host "    offline: the vulnerability database could not be updated ($($_.Exception.Message -replace '\s+', ' '))" -ForegroundColor Yellow
        }
    }
    Write-Step "scan $multi"
    $scanArgs = @{ Name = $multi; WarningAction = 'SilentlyContinue' }
    # The default database (Update-DockOptVulnerabilityDatabase's): DOCKOPT_VULNDB, else the user's cache folder.
    $dbPath = if ($env:DOCKOPT_VULNDB) { $env:DOCKOPT_VULNDB } elseif ($env:XDG_CACHE_HOME) { Join-Path $env:XDG_CACHE_HOME 'dockopt/vulndb' }
              elseif ($env:LOCALAPPDATA) { Join-Path $env:LOCALAPPDATA 'DockOpt/vulndb' } else { Join-Path $HOME '.cache/dockopt/vulndb' }
    if (-not (Get-ChildItem -Path $dbPath -Filter all.zip -Recurse -ErrorAction Ignore)) {
        $scanners = 'Secret', 'Config'
        $summary.Scan = "secrets and configuration only: no vulnerability database at $dbPath (offline), so no vulnerability findings"
        Write-Host "    $($summary.Scan)" -ForegroundColor Yellow
    }
    # One scan: the SARIF file is written before the gate is judged, and the report object stays in the results.
    try {
        Invoke-DockOptScan @scanArgs -Scanner $scanners -OutFile (Join-Path $ReportPath 'scan.sarif') -FailOn $FailOn | ForEach-Object {
            $results.Add($_)
            if (-not $summary.Contains('Scan')) { $summary.Scan = "vulnerabilities, secrets and configuration ($($_.Database))" }
            $summary.ScanResult = [ordered]@{ Outcome = $_.Outcome; Score = $_.Score; Grade = $_.Grade; Vulnerabilities = $_.VulnerabilityCount; Secrets = $_.SecretCount; Config = $_.ConfigCount }
        }
    }
    catch { $gateError = $_ }

    Write-Step 'report'
    Write-Report $results.ToArray()
}

if ($Stage -in 'All', 'Publish' -and -not $gateError) {
    $onMain = $env:GITHUB_REF -eq 'refs/heads/main' -or $env:BUILD_SOURCEBRANCH -eq 'refs/heads/main'
    if (-not $Registry) { Write-Host 'Publish: no -Registry given; nothing to publish.' }
    elseif (-not ($onMain -or $Force)) { Write-Host "Publish: skipped off the main branch ($($env:GITHUB_REF ?? $env:BUILD_SOURCEBRANCH))." }
    else {
        Write-Step "publish $multi to $Registry"
        $published = @(Publish-DockOptImage -Name $multi -Registry $Registry -Repository ($Repository ? $Repository : $ImageName) `
                -TagStrategy Latest, GitSha, SemVer -Version $Version -Confirm:$false)
        $results.AddRange([object[]]$published)
        Set-PipelineOutput 'published' (($published | ForEach-Object { "$($_.Reference)@$($_.Digest)" }) -join "`n")
        $summary.Published = @($published | ForEach-Object { "$($_.Reference)@$($_.Digest)" })
        if ($Stage -eq 'All') { Write-Report $results.ToArray() }
    }
}

# The one-screen summary, and the same facts as JSON for tools and tests.
$summary.Report = Join-Path $ReportPath 'report.html'
$summary.History = $history
$summary.Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 1)
$summary | ConvertTo-Json -Depth 5 | Set-Content -Path (Join-Path $ReportPath 'summary.json') -Encoding utf8NoBOM
if ($summary.Contains('ReductionPercent')) {
    $mb = { param($b) '{0:N1} MB' -f ($b / 1e6) }
    Write-Host ''
    Write-Host "DockOpt pipeline: $ImageName ($($summary.Seconds) s)" -ForegroundColor Green
    Write-Host ("  size       {0} {1} -> {2} {3}: -{4}% (seeds' target: -{5}%{6})" -f $single, (& $mb $summary.SingleStage.Size), $multi, (& $mb $summary.MultiStage.Size),
        $summary.ReductionPercent, $TargetReduction, $(if ($summary.ReductionPercent -ge $TargetReduction) { ', reached' } else { ', NOT reached' }))
    if ($summary.SingleStage.CompressedSize -and $summary.MultiStage.CompressedSize) {
        Write-Host ("  compressed {0} -> {1} (what the registry stores and a pull transfers; the cost model uses these, basis {2})" -f
            (& $mb $summary.SingleStage.CompressedSize), (& $mb $summary.MultiStage.CompressedSize), $summary.CostBasis)
    }
    Write-Host "  score      $multi $($summary.Score.MultiStage)/100, $single $($summary.Score.SingleStage)/100"
    foreach ($r in $summary.SingleStageRecommendations) { Write-Host "  single     $r" }
    foreach ($r in $summary.Recommendations) { Write-Host "  multi      $r" }
    Write-Host "  lint       $($summary.Lint.Findings) findings ($($summary.Lint.SingleStage) single-stage, $($summary.Lint.MultiStage) multi-stage) -> lint.sarif"
    if ($summary.Contains('Tests')) { Write-Host "  tests      $($summary.Tests.Passed)/$($summary.Tests.Total) passed, $($summary.Tests.Failed) failed, $($summary.Tests.Errors) errors -> junit.xml" }
    Write-Host "  database   $($summary.Database)"
    if ($summary.Contains('ScanResult')) { Write-Host "  scan       $($summary.Scan): $($summary.ScanResult.Outcome), score $($summary.ScanResult.Score) ($($summary.ScanResult.Grade)) -> scan.sarif" }
    elseif ($gateError) { Write-Host "  scan       gate failed: $($gateError.Exception.Message)" -ForegroundColor Red }
    if ($summary.Contains('Published')) { foreach ($p in $summary.Published) { Write-Host "  published  $p" } }
    Write-Host "  report     $($summary.Report)" -ForegroundColor Green
    Write-Host "  csv        $($summary.Csv)"
    Write-Host "  history    $history"
}

if ($gateError) { throw $gateError }
