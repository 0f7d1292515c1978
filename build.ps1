#!/usr/bin/env pwsh
<#
.SYNOPSIS
    DockOpt's build: Bootstrap, Build, Test, Demo, Docs, Bench, Package, Clean.
.DESCRIPTION
    Run from a fresh clone with:  dotnet tool restore && dotnet pwsh ./build.ps1 <Task>
    Tasks run in the order given; Test and Demo build first and bootstrap the machine (Docker engine, registry,
    local base images) where needed.
.EXAMPLE
    dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet pwsh ./build.ps1 Build, Docs -Configuration Debug
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Test', 'Demo', 'Docs', 'Bench', 'Package', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tag filters and an optional path filter, for running part of the suite.
    [string[]] $Tag,
    [string[]] $ExcludeTag,
    [string[]] $TestPath,

    # Skip the xunit run (Pester only) or the Pester run (xunit only).
    [switch] $SkipXunit,
    [switch] $SkipPester,

    # Bench: which benchmark scripts (file name patterns under bench/).
    [string[]] $Bench = @('*')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'DockOpt'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

# The pwsh to start child processes with: this one (a local dotnet tool runs as 'dotnet pwsh.dll').
function Get-Pwsh {
    $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (Test-Path $exe) { return @($exe) }
    return @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'))
}

function Invoke-Pwsh([string[]] $Arguments) {
    $p = @(Get-Pwsh)
    $rest = @($p | Select-Object -Skip 1) + $Arguments
    & $p[0] @rest
}

function Invoke-Clean {
    Write-Step 'Clean'
    foreach ($p in @($Out) + (Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests') -Directory -Recurse -Include bin, obj -ErrorAction Ignore).FullName) {
        if ($p -and (Test-Path $p)) { Remove-Item -Recurse -Force $p }
    }
}

function Invoke-Build {
    Write-Step "Build ($Configuration) -> $ModuleOut"
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $staging = Join-Path $Out 'staging'
    if (Test-Path $staging) { Remove-Item -Recurse -Force $staging }
    $engineOut = Join-Path $staging 'engine'
    $cmdletOut = Join-Path $staging 'cmdlets'
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/DockOpt.Engine/DockOpt.Engine.csproj'), '-c', $Configuration, '-o', $engineOut, '--nologo', '-v', 'q')
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/DockOpt.Cmdlets/DockOpt.Cmdlets.csproj'), '-c', $Configuration, '-o', $cmdletOut, '--nologo', '-v', 'q')

    # Lay out the module in a new folder, then swap it in, so a failed build never leaves half a module.
    $next = Join-Path $Out 'DockOpt.next'
    if (Test-Path $next) { Remove-Item -Recurse -Force $next }
    $deps = Join-Path $next 'Dependencies'
    New-Item -ItemType Directory -Force -Path $deps, (Join-Path $next 'formats'), (Join-Path $next 'en-US') | Out-Null

    # Root: the shim and the contracts (default load context). Everything else: Dependencies/ (private load context).
    foreach ($f in 'DockOpt.Cmdlets.dll', 'DockOpt.Contracts.dll') { Copy-Item (Join-Path $cmdletOut $f) $next }
    foreach ($f in 'DockOpt.Cmdlets.pdb', 'DockOpt.Contracts.pdb', 'DockOpt.Contracts.xml') {
        if (Test-Path (Join-Path $cmdletOut $f)) { Copy-Item (Join-Path $cmdletOut $f) $next }
    }
    Get-ChildItem $engineOut -File | Where-Object {
        $_.Name -notlike 'DockOpt.Contracts.*' -and $_.Extension -in '.dll', '.pdb', '.so', '.dylib'
    } | Copy-Item -Destination $deps
    if (Test-Path (Join-Path $engineOut 'runtimes')) { Copy-Item -Recurse (Join-Path $engineOut 'runtimes') $deps }

    foreach ($f in 'DockOpt.psd1', 'DockOpt.psm1', 'DockOpt.Format.ps1xml') { Copy-Item (Join-Path $Root $f) $next }
    Copy-Item (Join-Path $Root 'formats/*.ps1xml') (Join-Path $next 'formats')
    $aboutDir = Join-Path $Root 'docs'
    Get-ChildItem $aboutDir -Filter 'about_*.help.txt' -ErrorAction Ignore | Copy-Item -Destination (Join-Path $next 'en-US')

    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    Move-Item $next $ModuleOut
    if (Test-Path (Join-Path $Root 'build/HelpCompiler.ps1')) { Invoke-Docs }
    # Last, after the docs step rewrote what it generates: what the Demo compares the inputs with.
    Set-Content -Path (Join-Path $Out '.build-stamp') -Value $Configuration -NoNewline
    Write-Host "    built in $([math]::Round($sw.Elapsed.TotalSeconds, 1)) s"
}

# The files out/DockOpt is built from: sources, manifest, formats, docs (help) and the build's own help tooling.
function Get-BuildInput {
    Get-ChildItem -File -Recurse -Path (Join-Path $Root 'src'), (Join-Path $Root 'formats'), (Join-Path $Root 'docs') -ErrorAction Ignore |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
    foreach ($f in 'DockOpt.psd1', 'DockOpt.psm1', 'DockOpt.Format.ps1xml', 'Directory.Build.props', 'build/HelpCompiler.ps1', 'build/tools/errorids.py') {
        Get-Item (Join-Path $Root $f) -ErrorAction Ignore
    }
}

# The path of the newest build input changed since out/DockOpt was built in this configuration, '' when none did,
# or why it must be built (not built yet, another configuration).
function Get-BuildStaleReason {
    $stamp = Join-Path $Out '.build-stamp'
    if (-not (Test-Path (Join-Path $ModuleOut 'DockOpt.psd1'))) { return 'out/DockOpt is missing' }
    if (-not (Test-Path $stamp)) { return 'out/DockOpt has not been built by this script yet' }
    if ((Get-Content -Raw $stamp) -ne $Configuration) { return "out/DockOpt was built in another configuration" }
    $built = (Get-Item -Force $stamp).LastWriteTimeUtc
    $newer = Get-BuildInput | Where-Object LastWriteTimeUtc -GT $built | Select-Object -First 1
    if ($newer) { return "$([IO.Path]::GetRelativePath($Root, $newer.FullName)) changed" }
    return ''
}

function Invoke-Docs {
    Write-Step 'Docs: docs/*.md -> en-US/DockOpt.Cmdlets.dll-Help.xml'
    if (-not (Test-Path $ModuleOut)) { throw 'Build the module first (./build.ps1 Build).' }
    . (Join-Path $Root 'build/HelpCompiler.ps1')
    # about_DockOpt_ErrorIds is generated from the ErrorId catalogue (src/DockOpt.Contracts/ErrorIds), never written by hand.
    $python = Get-Command python3, python -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($python) {
        & $python.Source (Join-Path $Root 'build/tools/errorids.py') docs
        if ($LASTEXITCODE) { throw 'build/tools/errorids.py docs failed.' }
    }
    else { Write-Warning 'No python3: docs/about_DockOpt_ErrorIds.md not regenerated (ErrorIdCatalogueTests fails if it is stale).' }
    $target = Join-Path $ModuleOut 'en-US/DockOpt.Cmdlets.dll-Help.xml'
    ConvertTo-DockOptMaml -Path (Join-Path $Root 'docs') -OutFile $target
    foreach ($about in Get-ChildItem (Join-Path $Root 'docs') -Filter 'about_*.md' -ErrorAction Ignore) {
        ConvertTo-DockOptAboutTopic -Path $about.FullName -OutFile (Join-Path $ModuleOut "en-US/$($about.BaseName).help.txt")
    }
    Get-ChildItem (Join-Path $Root 'docs') -Filter 'about_*.help.txt' -ErrorAction Ignore | Copy-Item -Destination (Join-Path $ModuleOut 'en-US')
}

function Invoke-Bootstrap {
    Write-Step 'Bootstrap'
    & (Join-Path $Root 'build/Bootstrap.ps1')
}

function Write-FailureDigest([string] $Results) {
    # CI logs are often shown only from the end: name every failed test (and its first message line) right before the
    # totals line, whichever runner it came from, so a failure is never only visible in a truncated middle.
    $lines = [System.Collections.Generic.List[string]]::new()
    $trx = Join-Path $Results 'xunit.trx'
    if (Test-Path $trx) {
        [xml] $x = Get-Content -Raw $trx
        foreach ($r in @($x.TestRun.Results.UnitTestResult)) {
            if ($null -eq $r -or $r.outcome -notin 'Failed', 'Error', 'Timeout', 'Aborted') { continue }
            $msg = "$($r.Output.ErrorInfo.Message)".Trim() -split "`n" | Select-Object -First 1
            $lines.Add("xunit  $($r.testName) ($($r.duration)): $msg")
        }
    }
    $junit = Join-Path $Results 'pester.junit.xml'
    if (Test-Path $junit) {
        [xml] $j = Get-Content -Raw $junit
        foreach ($c in @($j.SelectNodes('//testcase[failure or error]'))) {
            $f = if ($c.failure) { @($c.failure)[0] } else { @($c.error)[0] }
            $m = if ($f -is [string]) { $f } else { "$($f.message)" }
            $msg = $m.Trim() -split "`n" | Select-Object -First 1
            $lines.Add("Pester $($c.name) ($($c.time) s): $msg")
        }
    }
    if ($lines.Count -eq 0) { return }
    Write-Host "failed tests ($($lines.Count)):" -ForegroundColor Red
    foreach ($l in $lines) { Write-Host "  $($l.Substring(0, [Math]::Min(400, $l.Length)))" }
}

function Invoke-Test {
    Invoke-Build
    Invoke-Bootstrap
    $results = Join-Path $Out 'test-results'
    New-Item -ItemType Directory -Force -Path $results | Out-Null
    $passed = 0; $failed = 0; $skipped = 0

    if (-not $SkipXunit) {
        Write-Step 'xunit: tests/DockOpt.Engine.Tests'
        $trx = Join-Path $results 'xunit.trx'
        if (Test-Path $trx) { Remove-Item $trx }
        & dotnet test (Join-Path $Root 'tests/DockOpt.Engine.Tests/DockOpt.Engine.Tests.csproj') -c $Configuration --nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
        $xunitExit = $LASTEXITCODE
        if (Test-Path $trx) {
            [xml] $x = Get-Content -Raw $trx
            $c = $x.TestRun.ResultSummary.Counters
            $passed += [int]$c.passed
            $failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
            # The trx logger counts a skipped test in 'total' but not in 'executed' (its notExecuted stays 0).
            $xunitSkipped = [Math]::Max([int]$c.notExecuted, [int]$c.total - [int]$c.executed)
            $skipped += $xunitSkipped
            Write-Host "    xunit: $($c.passed) passed, $([int]$c.failed + [int]$c.error) failed, $xunitSkipped skipped"
            # Under CI=true every engine test must run: Precondition.Require fails a test whose engine, image or tool is
            # missing instead of skipping it (issue 11, item 8); only host facts no setup can change (root) still skip.
        }
        elseif ($xunitExit -ne 0) {
            Write-Host '    xunit did not run (build failure?)' -ForegroundColor Red
            $failed += 1
        }
    }

    if (-not $SkipPester) {
        Write-Step 'Pester 5.7.1 in a fresh pwsh -NoProfile against out/DockOpt'
        Invoke-Native dotnet @('restore', (Join-Path $Root 'build/tools.proj'), '--nologo', '-v', 'q')
        $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
        $pester = Join-Path $nugetRoot 'pester/5.7.1/tools/Pester.psd1'
        if (-not (Test-Path $pester)) { throw "Pester 5.7.1 was not restored to '$pester'." }
        $summary = Join-Path $results 'pester-summary.json'
        if (Test-Path $summary) { Remove-Item $summary }
        $runner = Join-Path $Root 'build/RunPester.ps1'
        $argsList = @('-NoProfile', '-NonInteractive', '-File', $runner, '-PesterPath', $pester, '-ModulePath', (Join-Path $ModuleOut 'DockOpt.psd1'),
            '-TestsPath', (Join-Path $Root 'tests'), '-ResultsPath', $results, '-SummaryPath', $summary)
        if ($Tag) { $argsList += @('-Tag', ($Tag -join ',')) }
        if ($ExcludeTag) { $argsList += @('-ExcludeTag', ($ExcludeTag -join ',')) }
        if ($TestPath) { $argsList += @('-Only', ($TestPath -join ',')) }
        Invoke-Pwsh $argsList
        if (Test-Path $summary) {
            $s = Get-Content -Raw $summary | ConvertFrom-Json
            if ($null -eq $s.Passed -or $null -eq $s.Failed) { throw "Pester summary '$summary' is incomplete." }
            $passed += $s.Passed; $failed += $s.Failed; $skipped += $s.Skipped
            Write-Host "    Pester: $($s.Passed) passed, $($s.Failed) failed, $($s.Skipped) skipped"
        }
        else {
            Write-Host '    Pester did not produce a summary' -ForegroundColor Red
            $failed += 1
        }
    }

    Write-FailureDigest $results
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($failed -gt 0) { $script:ExitCode = 1 }
}

function Invoke-Demo {
    # A warm demo does not rebuild an unchanged module (dotnet publish of both projects costs 20-50 s even when nothing
    # changed); './build.ps1 Build, Demo' always builds.
    $stale = Get-BuildStaleReason
    if ($stale) {
        Write-Host "    build needed: $stale"
        Invoke-Build
    }
    else { Write-Step "Build: out/DockOpt is current (no source, doc or format newer than it); not rebuilt" }
    Invoke-Bootstrap
    Write-Step 'Demo'
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'examples/Demo.ps1'), '-ModulePath', (Join-Path $ModuleOut 'DockOpt.psd1'))
    if ($LASTEXITCODE -ne 0) { throw "The demo failed with exit code $LASTEXITCODE." }
}

function Invoke-Bench {
    Invoke-Build
    Invoke-Bootstrap
    foreach ($pattern in $Bench) {
        foreach ($script in Get-ChildItem (Join-Path $Root 'bench') -Filter "$pattern.ps1" | Sort-Object Name) {
            Write-Step "Bench: $($script.Name)"
            Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', $script.FullName, '-ModulePath', (Join-Path $ModuleOut 'DockOpt.psd1'))
        }
    }
}

function Invoke-Package {
    Invoke-Build
    Write-Step 'Package'
    . (Join-Path $Root 'build/Package.ps1')
    $nupkg = New-DockOptPackage -ModulePath $ModuleOut -Destination $Out
    Write-Host "    $($nupkg.FullName)"
}

$script:ExitCode = 0
foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Bootstrap' { Invoke-Bootstrap }
        'Build' { Invoke-Build }
        'Docs' { Invoke-Docs }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Package' { Invoke-Package }
    }
}
exit $script:ExitCode
