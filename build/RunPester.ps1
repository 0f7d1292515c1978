# Runs the Pester suite in this (fresh, -NoProfile) process against the built module and writes a summary.
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TestsPath,
    [Parameter(Mandatory)] [string] $ResultsPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $Tag,
    [string] $ExcludeTag,
    [string] $Only
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $PesterPath -Force
$env:DOCKOPT_TEST_MODULE = $ModulePath
$config = New-PesterConfiguration
$paths = if ($Only) { $Only -split ',' | ForEach-Object { if (Test-Path $_) { $_ } else { Join-Path $TestsPath $_ } } } else { $TestsPath }
$config.Run.Path = $paths
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($env:CI -or [Console]::IsOutputRedirected) { $config.Output.RenderMode = 'Plaintext' }
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'JUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsPath 'pester.junit.xml'
if ($Tag) { $config.Filter.Tag = $Tag -split ',' }
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag -split ',' }
$r = Invoke-Pester -Configuration $config
if ($null -eq $r) { throw 'Invoke-Pester returned no result.' }
$summary = [ordered]@{
    Passed  = $r.PassedCount
    Failed  = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
    Skipped = $r.SkippedCount + $r.NotRunCount
}
$tmp = "$SummaryPath.tmp"
$summary | ConvertTo-Json | Set-Content -Path $tmp -Encoding utf8
Move-Item -Force $tmp $SummaryPath
