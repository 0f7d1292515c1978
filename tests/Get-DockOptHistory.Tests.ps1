BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    function Get-Inspect([string] $Name) { (& docker image inspect $Name | ConvertFrom-Json)[0] }
}

Describe 'Get-DockOptHistory' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'dockopt-history'
        $script:ref = New-TestImage -Tag "$($script:repo):single" -Dockerfile "FROM dockopt/busybox:latest`nRUN dd if=/dev/zero of=/big bs=1024 count=2000 2>/dev/null"
        # Two versions of the same tag: the summary shows the change between them.
        $script:v1 = New-TestImage -Tag "$($script:repo):multi" -Dockerfile "FROM dockopt/busybox:latest`nRUN echo v1 > /v"
        $script:v1I = Get-Inspect $script:v1
        $script:refI = Get-Inspect $script:ref
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-history-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $script:dir | Out-Null
        $script:h = Join-Path $script:dir 'history.jsonl'

        $b = { param($id, $tag, $s) [DockOpt.BuildResult]@{ ImageId = $id; Tags = @($tag); Duration = [timespan]::FromSeconds($s) } }
        # Stand-in BuildResults (Invoke-DockOptBuild lives on another branch) carry build times into the records.
        (& $b $script:refI.Id $script:ref 40), (& $b $script:v1I.Id $script:v1 10) | Compare-DockOptImage -HistoryPath $script:h | Out-Null
        $script:between = [datetime]::UtcNow
        Start-Sleep -Milliseconds 50
        New-TestImage -Tag "$($script:repo):multi" -Dockerfile "FROM dockopt/busybox:latest`nRUN dd if=/dev/zero of=/v bs=1024 count=500 2>/dev/null" | Out-Null
        $script:v2I = Get-Inspect "$($script:repo):multi"
        (& $b $script:refI.Id $script:ref 50), (& $b $script:v2I.Id "$($script:repo):multi" 20) | Compare-DockOptImage -HistoryPath $script:h | Out-Null
        & docker image rm -f $script:v1I.Id *> $null
    }
    AfterAll {
        Remove-TestImage $script:ref, "$($script:repo):multi"
        Remove-Item -Recurse -Force $script:dir -ErrorAction Ignore
    }

    It 'reads the records in order, with the sizes docker reported' {
        $r = @(Get-DockOptHistory -Path $script:h)
        $r.Count | Should -Be 2
        $r[0] | Should -BeOfType ([DockOpt.HistoryRecord])
        $r.Kind | Should -Be @('Comparison', 'Comparison')
        $r.Image | Should -Be @("$($script:repo):multi", "$($script:repo):multi")
        $r.Size | Should -Be @($script:v1I.Size, $script:v2I.Size)
        $r.ImageId | Should -Be @($script:v1I.Id, $script:v2I.Id)
        $r.ReferenceSize | Should -Be @($script:refI.Size, $script:refI.Size)
        $r.DurationSeconds | Should -Be @(10, 20)
        $r.Line | Should -Be @(1, 2)
        $r[0].Timestamp.Kind | Should -Be 'Utc'
    }

    It 'filters by image, tag, kind and -Since' {
        @(Get-DockOptHistory $script:h -Name "$($script:repo):multi").Count | Should -Be 2
        @(Get-DockOptHistory $script:h -Name "$($script:repo):single").Count | Should -Be 2   # the reference side
        @(Get-DockOptHistory $script:h -Name 'dockopt-history-none*').Count | Should -Be 0
        @(Get-DockOptHistory $script:h -Name "$($script:repo)*" -Tag 'mul*').Count | Should -Be 2
        @(Get-DockOptHistory $script:h -Tag 'single').Count | Should -Be 0
        @(Get-DockOptHistory $script:h -Kind Build).Count | Should -Be 0
        @(Get-DockOptHistory $script:h -Name $script:v2I.Id.Substring(7, 12)).ImageId | Should -Be $script:v2I.Id
        $since = @(Get-DockOptHistory $script:h -Since $script:between)
        $since.Count | Should -Be 1
        $since[0].Size | Should -Be $script:v2I.Size
    }

    It '-Summary gives count, first, last, min/max/mean and the change since the previous record' {
        $s = @(Get-DockOptHistory $script:h -Summary)
        $s.Count | Should -Be 1
        $s = $s[0]
        $s | Should -BeOfType ([DockOpt.HistorySummary])
        $s.Image | Should -Be "$($script:repo):multi"
        $s.Count | Should -Be 2
        $s.MinSize | Should -Be ([math]::Min($script:v1I.Size, $script:v2I.Size))
        $s.MaxSize | Should -Be ([math]::Max($script:v1I.Size, $script:v2I.Size))
        $s.MeanSize | Should -Be ([long][math]::Round(($script:v1I.Size + $script:v2I.Size) / 2))
        $s.LastSize | Should -Be $script:v2I.Size
        $s.PreviousSize | Should -Be $script:v1I.Size
        $s.SizeChange | Should -Be ($script:v2I.Size - $script:v1I.Size)
        $s.SizeChange | Should -BeGreaterThan 500000
        $s.First | Should -BeLessThan $s.Last
        ($s.MinDurationSeconds, $s.MeanDurationSeconds, $s.MaxDurationSeconds, $s.DurationChangeSeconds) | Should -Be @(10, 15, 20, 10)
    }

    It 'records and summaries export to CSV, one row each' {
        $csv = Join-Path $script:dir 'h.csv'
        Get-DockOptHistory $script:h | Export-Csv $csv -NoTypeInformation
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 2
        [long] $rows[1].Size | Should -Be $script:v2I.Size
        [double] $rows[1].DurationSeconds | Should -Be 20
        Get-DockOptHistory $script:h -Summary | Export-Csv $csv -NoTypeInformation
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 1
        [long] $rows[0].SizeChange | Should -Be ($script:v2I.Size - $script:v1I.Size)
    }

    It 'skips an unreadable line with a warning and never rewrites the file' {
        $h2 = Join-Path $script:dir 'corrupt.jsonl'
        Copy-Item $script:h $h2
        Add-Content -Path $h2 -Value '{"kind": "Build", broken'
        Compare-DockOptImage $script:ref "$($script:repo):multi" -HistoryPath $h2 | Out-Null
        $before = Get-FileHash $h2
        $r = @(Get-DockOptHistory $h2 -WarningVariable w -WarningAction SilentlyContinue)
        $r.Count | Should -Be 3
        $r[2].Line | Should -Be 4
        @($w).Count | Should -Be 1
        "$($w[0])" | Should -Match 'corrupt\.jsonl:3: unreadable'
        (Get-FileHash $h2).Hash | Should -Be $before.Hash
        (Get-Content $h2)[2] | Should -Be '{"kind": "Build", broken'
    }

    It 'reads $env:DOCKOPT_HISTORY when no -Path is given' {
        $env:DOCKOPT_HISTORY = $script:h
        try { @(Get-DockOptHistory).Count | Should -Be 2 }
        finally { Remove-Item Env:DOCKOPT_HISTORY }
    }

    It 'reports HistoryPathMissing without -Path or DOCKOPT_HISTORY, and HistoryNotFound for a missing file' {
        Remove-Item Env:DOCKOPT_HISTORY -ErrorAction Ignore
        { Get-DockOptHistory } | Should -Throw -ErrorId 'HistoryPathMissing,DockOpt.Cmdlets.GetDockOptHistoryCommand'
        { Get-DockOptHistory (Join-Path $script:dir 'none.jsonl') -ErrorAction Stop } | Should -Throw -ErrorId 'HistoryNotFound,DockOpt.Cmdlets.GetDockOptHistoryCommand'
        # The other files are still read.
        @(Get-DockOptHistory (Join-Path $script:dir 'none.jsonl'), $script:h -ErrorAction SilentlyContinue).Count | Should -Be 2
    }
}
