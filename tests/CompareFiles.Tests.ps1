# Compare-DockOptImage -Detailed at file level (the analysis issue's extension of the comparison).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
}

Describe 'Compare-DockOptImage -Detailed file level' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:old = New-TestImage -Dockerfile @"
FROM dockopt/busybox:latest
RUN mkdir -p /app/lib && echo one > /app/keep.txt && echo old > /app/change.txt && echo bye > /app/gone.txt \
 && head -c 5000 /dev/zero > /app/lib/blob && chmod 0644 /app/lib/blob
"@
        $script:new = New-TestImage -Dockerfile @"
FROM dockopt/busybox:latest
RUN mkdir -p /app/lib && echo one > /app/keep.txt && echo newer-content > /app/change.txt && echo hi > /app/added.txt \
 && head -c 5000 /dev/zero > /app/lib/blob && chmod 0755 /app/lib/blob
"@
    }
    AfterAll { Remove-TestImage $script:old, $script:new }

    It 'lists added, removed and modified files with sizes, modes and roll-ups' {
        $c = Compare-DockOptImage -ReferenceImage $script:old -DifferenceImage $script:new -Detailed
        $files = @($c.Files | Where-Object { -not $_.IsRollup })
        ($files | Where-Object Path -EQ '/app/added.txt').Change | Should -Be 'Added'
        ($files | Where-Object Path -EQ '/app/added.txt').NewSize | Should -Be 3
        ($files | Where-Object Path -EQ '/app/gone.txt').Change | Should -Be 'Removed'
        $changed = $files | Where-Object Path -EQ '/app/change.txt'
        $changed.Change | Should -Be 'Modified'
        $changed.ContentChanged | Should -BeTrue
        $changed.SizeDelta | Should -Be (14 - 4)
        $blob = $files | Where-Object Path -EQ '/app/lib/blob'
        $blob.ModeChanged | Should -BeTrue
        $blob.ContentChanged | Should -BeFalse
        $blob.OldMode | Should -Be '0644'
        $blob.NewMode | Should -Be '0755'
        $files.Path | Should -Not -Contain '/app/keep.txt'
        $files.Path | Should -Not -Contain '/bin/busybox'    # shared base layer: identical
        $rollup = $c.Files | Where-Object { $_.IsRollup -and $_.Path -eq '/app' }
        $rollup.FilesAdded | Should -Be 1
        $rollup.FilesRemoved | Should -Be 1
        $rollup.FilesModified | Should -Be 2
        $c.FilesChanged | Should -Be $files.Count
    }

    It 'adds no file rows without -Detailed' {
        (Compare-DockOptImage -ReferenceImage $script:old -DifferenceImage $script:new).Files | Should -BeNullOrEmpty
    }
}
