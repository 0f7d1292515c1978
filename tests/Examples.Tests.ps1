# The README's main job, end to end: the demo builds both variants of both examples with Invoke-DockOptBuild,
# compares them and writes the CSV report; the figures are checked against docker image inspect. Then the
# examples' image-test specs: the multi-stage images pass them; the single-stage ones fail the non-root check.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:modulePath = Get-DockOptTestModulePath
    Import-Module $script:modulePath -Force
    $script:examples = Join-Path $PSScriptRoot '../examples'
    $script:reports = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $pre = @()
    if (-not (Test-Path $pwsh)) { $pwsh = [Environment]::ProcessPath; $pre = @(Join-Path $PSHOME 'pwsh.dll') }
    $script:demoOutput = & $pwsh @pre -NoProfile -NonInteractive -File (Join-Path $script:examples 'Demo.ps1') -ModulePath $script:modulePath -ReportPath $script:reports 2>&1 | Out-String -Width 200
    $script:demoExit = $LASTEXITCODE
}
AfterAll { Remove-Item -Recurse -Force $script:reports -ErrorAction Ignore }

Describe 'The demo (single-stage vs multi-stage)' -Tag 'RequiresDocker', 'Examples' {
    It 'runs to the end' {
        $script:demoExit | Should -Be 0 -Because $script:demoOutput
    }

    It 'writes one CSV row per example with the sizes docker reports and the target reductions' {
        $rows = @(Import-Csv (Join-Path $script:reports 'size-report.csv'))
        $rows.Count | Should -Be 2
        foreach ($r in $rows) {
            $refSize = [long](& docker image inspect $r.ReferenceImage --format '{{.Size}}')
            $difSize = [long](& docker image inspect $r.DifferenceImage --format '{{.Size}}')
            [long]$r.ReferenceSize | Should -Be $refSize
            [long]$r.DifferenceSize | Should -Be $difSize
            [double]$r.ReductionPercent | Should -BeGreaterThan 0
            [math]::Abs([double]$r.ReductionPercent - 100.0 * ($refSize - $difSize) / $refSize) | Should -BeLessThan 0.01
        }
        $flask = $rows | Where-Object ReferenceImage -Like '*flask-api*'
        $go = $rows | Where-Object ReferenceImage -Like '*go-service*'
        [double]$flask.ReductionPercent | Should -BeGreaterOrEqual 70
        [double]$go.ReductionPercent | Should -BeGreaterOrEqual 95
    }

    It 'appends the builds and comparisons to the history' {
        $h = @(Get-DockOptHistory -Path (Join-Path $script:reports 'history.jsonl'))
        @($h | Where-Object Kind -EQ 'Build').Count | Should -Be 4
        @($h | Where-Object Kind -EQ 'Comparison').Count | Should -Be 2
    }
}

Describe 'Example image specs' -Tag 'RequiresDocker', 'Examples' {
    It '<Name>: the multi-stage image passes its spec' -ForEach @(
        @{ Name = 'flask-api' }
        @{ Name = 'go-service' }
    ) {
        $results = @(Test-DockOptImage "dockopt-demo/$($Name):multi-stage" -SpecPath (Join-Path $script:examples "$Name/image-test.yaml"))
        $results.Count | Should -BeGreaterThan 5
        $bad = @($results | Where-Object Outcome -NE 'Passed')
        $bad | ForEach-Object { "$($_.Category)/$($_.Name): $($_.Outcome) $($_.Message)" } | Should -BeNullOrEmpty
        @($results.Category | Sort-Object -Unique) | Should -Contain 'Shutdown'
    }

    It '<Name>: the single-stage image fails the non-root check' -ForEach @(
        @{ Name = 'flask-api' }
        @{ Name = 'go-service' }
    ) {
        $results = @(Test-DockOptImage "dockopt-demo/$($Name):single-stage" -SpecPath (Join-Path $script:examples "$Name/image-test.yaml"))
        $nonRoot = @($results | Where-Object { $_.Category -eq 'Metadata' -and $_.Name -match 'root' })
        $nonRoot.Count | Should -BeGreaterThan 0
        $nonRoot[0].Outcome | Should -Be 'Failed'
    }
}
