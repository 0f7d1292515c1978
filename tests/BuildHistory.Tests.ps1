# Builds are recorded in the append-only history (Invoke-DockOptBuild -HistoryPath / $env:DOCKOPT_HISTORY)
# and read back by Get-DockOptHistory with the figures the engine reports.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
}

Describe 'Build history' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $script:dir | Out-Null
        Set-Content (Join-Path $script:dir 'Dockerfile') "FROM dockopt/busybox:latest`nRUN echo $([guid]::NewGuid()) > /id`n"
        $script:repo = New-TestImageName 'dockopt-histbuild'
        $script:history = Join-Path $script:dir 'history.jsonl'
    }
    AfterAll {
        Remove-TestImage "$($script:repo):one", "$($script:repo):two"
        Remove-Item -Recurse -Force $script:dir -ErrorAction Ignore
    }

    It 'appends one record per build with the size docker reports, and -Summary trends them' {
        $a = Invoke-DockOptBuild -Path $script:dir -Tag "$($script:repo):one" -HistoryPath $script:history
        $saved = $env:DOCKOPT_HISTORY
        try {
            $env:DOCKOPT_HISTORY = $script:history
            $b = Invoke-DockOptBuild -Path $script:dir -Tag "$($script:repo):two"
        }
        finally { $env:DOCKOPT_HISTORY = $saved }
        @(Get-Content $script:history).Count | Should -Be 2
        $records = @(Get-DockOptHistory -Path $script:history -Kind Build)
        $records.Count | Should -Be 2
        $records[0].ImageId | Should -Be $a.ImageId
        $records[0].Size | Should -Be ([long](& docker image inspect $a.ImageId --format '{{.Size}}'))
        $records[1].CacheHits | Should -Be $b.CacheHits
        $records[1].CacheHits | Should -BeGreaterThan 0
        $records[0].DurationSeconds | Should -BeGreaterThan 0
        $records[0].DurationSeconds | Should -Be $a.DurationSeconds
        $records[0].LayerCount | Should -Be ([int](& docker image inspect $a.ImageId --format '{{len .RootFS.Layers}}'))
        $records[1].Repository | Should -Be $script:repo
        $records[1].Tag | Should -Be 'two'
        $records[1].ImageId | Should -Be $b.ImageId
        $summary = @(Get-DockOptHistory -Path $script:history -Kind Build -Summary)
        $summary.Count | Should -Be 2
        $one = $summary | Where-Object Image -EQ "$($script:repo):one"
        $one.Count | Should -Be 1
        $one.LastSize | Should -Be $records[0].Size
        $one.MinDurationSeconds | Should -Be $records[0].DurationSeconds
        $one.SizeChange | Should -BeNullOrEmpty
    }

    It 'records nothing when neither -HistoryPath nor DOCKOPT_HISTORY is set' {
        $saved = $env:DOCKOPT_HISTORY
        try {
            $env:DOCKOPT_HISTORY = $null
            $before = @(Get-Content $script:history).Count
            $null = Invoke-DockOptBuild -Path $script:dir -Tag "$($script:repo):one"
            @(Get-Content $script:history).Count | Should -Be $before
        }
        finally { $env:DOCKOPT_HISTORY = $saved }
    }
}
