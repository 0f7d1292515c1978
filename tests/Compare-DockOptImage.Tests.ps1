BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    # Invoke-DockOptBuild is built on another branch; the end-to-end test runs once both are merged.
    $script:hasBuild = [bool] (& { Import-Module (Get-DockOptTestModulePath) -Force; Get-Command Invoke-DockOptBuild -ErrorAction Ignore })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    # The default view lives in formats/Compare.Format.ps1xml; load it even where the manifest does not list it yet.
    $fmt = Join-Path (Split-Path (Get-DockOptTestModulePath)) 'formats/Compare.Format.ps1xml'
    if (-not (Get-FormatData -TypeName DockOpt.ImageComparison)) { Update-FormatData -PrependPath $fmt }

    function Get-Inspect([string] $Name) { (& docker image inspect $Name | ConvertFrom-Json)[0] }
}

Describe 'Compare-DockOptImage' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'dockopt-compare'
        # Reference: the base plus 3 MB of "build tools"; difference: the base plus a small app. Both share busybox's layer.
        $script:big = New-TestImage -Tag "$($script:repo):single" -Dockerfile @"
FROM dockopt/busybox:latest
RUN dd if=/dev/urandom of=/tools.bin bs=1024 count=3000 2>/dev/null
WORKDIR /app
RUN echo app > /app/app.txt
"@
        $script:small = New-TestImage -Tag "$($script:repo):multi" -Dockerfile @"
FROM dockopt/busybox:latest
RUN echo app > /app.txt
"@
        $script:bigI = Get-Inspect $script:big
        $script:smallI = Get-Inspect $script:small
        $script:baseI = Get-Inspect 'dockopt/busybox:latest'
        $script:tmp = Join-Path ([IO.Path]::GetTempPath()) "dockopt-compare-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $script:tmp | Out-Null
    }
    AfterAll {
        Remove-TestImage $script:big, $script:small
        Remove-Item -Recurse -Force $script:tmp -ErrorAction Ignore
    }

    It 'reports sizes, IDs and layer counts equal to docker image inspect' {
        $c = Compare-DockOptImage -ReferenceImage $script:big -DifferenceImage $script:small
        $c | Should -BeOfType ([DockOpt.ImageComparison])
        $c.ReferenceImage | Should -Be $script:big
        $c.DifferenceImage | Should -Be $script:small
        $c.ReferenceImageId | Should -Be $script:bigI.Id
        $c.DifferenceImageId | Should -Be $script:smallI.Id
        $c.ReferenceSize | Should -Be $script:bigI.Size
        $c.DifferenceSize | Should -Be $script:smallI.Size
        $c.SizeReduction | Should -Be ($script:bigI.Size - $script:smallI.Size)
        $c.ReductionPercent | Should -Be ([math]::Round(100.0 * ($script:bigI.Size - $script:smallI.Size) / $script:bigI.Size, 2))
        $c.ReductionPercent | Should -BeGreaterThan 50
        $c.ReferenceLayerCount | Should -Be @($script:bigI.RootFS.Layers).Count
        $c.DifferenceLayerCount | Should -Be @($script:smallI.RootFS.Layers).Count
        $c.SharedLayerCount | Should -Be 1
        $c.SharedSize | Should -Be $script:baseI.Size
        $c.ReferenceBuildDuration | Should -BeNullOrEmpty
        $c.ComparedAt.Kind | Should -Be 'Utc'
    }

    It 'estimates registry cost with decimal GB of compressed bytes and the given prices' {
        $c = Compare-DockOptImage $script:big $script:small -StoragePricePerGBMonth 0.5 -TransferPricePerGB 0.2 -PullsPerMonth 1000
        # Registries store and transfer compressed layers: the cost model uses the compressed estimate (gzip as docker push).
        $c.CostBasis | Should -Be 'Compressed'
        $c.ReferenceCompressedSize | Should -BeGreaterThan 0
        $c.ReferenceCompressedSize | Should -BeLessThan $script:bigI.Size
        $gbR = $c.ReferenceCompressedSize / 1e9; $gbD = $c.DifferenceCompressedSize / 1e9
        $c.ReferenceMonthlyCost | Should -Be ([math]::Round($gbR * 0.5 + $gbR * 1000 * 0.2, 4))
        $c.DifferenceMonthlyCost | Should -Be ([math]::Round($gbD * 0.5 + $gbD * 1000 * 0.2, 4))
        $c.MonthlySavings | Should -BeGreaterThan 0
        [math]::Abs($c.YearlySavings - 12 * ($gbR - $gbD) * (0.5 + 1000 * 0.2)) | Should -BeLessThan 0.001
        $d = Compare-DockOptImage $script:big $script:small
        ($d.StoragePricePerGBMonth, $d.TransferPricePerGB, $d.PullsPerMonth) | Should -Be @(0.10, 0.09, 100)
    }

    It 'accepts ImageInfo objects and image IDs' {
        $c = Compare-DockOptImage -ReferenceImage (Get-DockOptImage $script:big) -DifferenceImage $script:smallI.Id
        $c.ReferenceImage | Should -Be $script:big
        $c.ReferenceSize | Should -Be $script:bigI.Size
        $c.DifferenceImageId | Should -Be $script:smallI.Id
    }

    It 'compares two piped BuildResult objects in order and reports their build times (stand-in BuildResults: Invoke-DockOptBuild is another branch)' {
        $r = [DockOpt.BuildResult]@{ ImageId = $script:bigI.Id; Tags = @($script:big); Duration = [timespan]::FromSeconds(42.5); Size = $script:bigI.Size }
        $d = [DockOpt.BuildResult]@{ ImageId = $script:smallI.Id; Tags = @($script:small); Duration = [timespan]::FromSeconds(7.25); Size = $script:smallI.Size }
        $c = $r, $d | Compare-DockOptImage
        @($c).Count | Should -Be 1
        $c.ReferenceImage | Should -Be $script:big
        $c.DifferenceImage | Should -Be $script:small
        $c.ReferenceBuildSeconds | Should -Be 42.5
        $c.DifferenceBuildSeconds | Should -Be 7.25
        $c.DifferenceBuildDuration | Should -Be ([timespan]::FromSeconds(7.25))
        # Reversed order gives the opposite comparison; -ReferenceImage with piped images compares each against it.
        ($d, $r | Compare-DockOptImage).SizeReduction | Should -Be (-$c.SizeReduction)
        $each = $d, $d | Compare-DockOptImage -ReferenceImage $script:big
        @($each).Count | Should -Be 2
    }

    It 'compares two real Invoke-DockOptBuild results piped in order, with their build times' -Skip:(-not $script:hasBuild) {
        $ctx = Join-Path $script:tmp 'ctx'
        New-Item -ItemType Directory -Force -Path $ctx | Out-Null
        Set-Content (Join-Path $ctx 'Dockerfile.big') "FROM dockopt/busybox:latest`nRUN dd if=/dev/zero of=/big bs=1024 count=1500 2>/dev/null"
        Set-Content (Join-Path $ctx 'Dockerfile.small') "FROM dockopt/busybox:latest`nRUN echo small > /small"
        $tags = "$($script:repo):built-big", "$($script:repo):built-small"
        try {
            $b = Get-ChildItem (Join-Path $ctx 'Dockerfile.big'), (Join-Path $ctx 'Dockerfile.small') | ForEach-Object -Begin { $i = 0 } -Process {
                Invoke-DockOptBuild -Path $ctx -Dockerfile $_.FullName -Tag $tags[$i++]
            }
            $c = $b | Compare-DockOptImage
            $c.ReferenceImage | Should -Be $tags[0]
            $c.DifferenceImage | Should -Be $tags[1]
            $c.ReferenceSize | Should -Be (Get-Inspect $tags[0]).Size
            $c.DifferenceSize | Should -Be (Get-Inspect $tags[1]).Size
            $c.ReferenceBuildSeconds | Should -Be $b[0].DurationSeconds
            $c.DifferenceBuildSeconds | Should -Be $b[1].DurationSeconds
        }
        finally { Remove-TestImage $tags }
    }

    It '-Detailed lists shared and unique layers by diff ID, matching docker image inspect' {
        $c = Compare-DockOptImage $script:big $script:small -Detailed
        $l = $c.Layers
        $shared = @($l | Where-Object Presence -eq 'Shared')
        $shared.DiffId | Should -Be @($script:baseI.RootFS.Layers)
        $shared[0].Size | Should -Be $script:baseI.Size
        @($l | Where-Object Presence -eq 'ReferenceOnly').DiffId | Should -Be @($script:bigI.RootFS.Layers | Select-Object -Skip 1)
        @($l | Where-Object Presence -eq 'DifferenceOnly').DiffId | Should -Be @($script:smallI.RootFS.Layers | Select-Object -Skip 1)
        # Layer sizes add up to each image's size (the 0-byte WORKDIR layer included).
        ($l | Where-Object { $null -ne $_.ReferenceIndex } | Measure-Object Size -Sum).Sum | Should -Be $script:bigI.Size
        ($l | Where-Object { $null -ne $_.DifferenceIndex } | Measure-Object Size -Sum).Sum | Should -Be $script:smallI.Size
        ($l | Where-Object CreatedBy -like '*dd if=/dev/urandom*').Size | Should -BeGreaterThan 3000000
        (Compare-DockOptImage $script:big $script:small).Layers | Should -BeNullOrEmpty
    }

    It 'flattens to one CSV row with the headline numbers' {
        $csv = Join-Path $script:tmp 'compare.csv'
        Compare-DockOptImage $script:big $script:small | Export-Csv -Path $csv -NoTypeInformation
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 1
        $row = $rows[0]
        [long] $row.ReferenceSize | Should -Be $script:bigI.Size
        [long] $row.DifferenceSize | Should -Be $script:smallI.Size
        [long] $row.SizeReduction | Should -Be ($script:bigI.Size - $script:smallI.Size)
        [double] $row.ReductionPercent | Should -BeGreaterThan 50
        $row.ReferenceImageId | Should -Be $script:bigI.Id
        [double] $row.YearlySavings | Should -BeGreaterThan 0
        foreach ($p in 'ReferenceLayerCount', 'DifferenceLayerCount', 'ReferenceMonthlyCost', 'DifferenceMonthlyCost', 'MonthlySavings') {
            $row.PSObject.Properties.Name | Should -Contain $p
        }
    }

    It 'default view reads like a comparison table' {
        $text = Compare-DockOptImage $script:big $script:small | Out-String -Width 120
        $text | Should -Match ([regex]::Escape("Reference:  $($script:big)"))
        $text | Should -Match 'Size\s+\S+\s+\S+\s+-\S+ \(-\d+(\.\d)?%\)'
        $text | Should -Match 'Registry cost/month'
        $text | Should -Match 'Savings/year'
        $text | Should -Match 'Compressed\s+\S+'
        $text | Should -Match 'on compressed sizes'
        # Nothing wraps in a 120-column console: every line of the view fits.
        $long = @($text -split '\r?\n' | Where-Object { $_.Length -gt 119 })
        $long | Should -BeNullOrEmpty
    }

    It 'records each comparison in -HistoryPath and in $env:DOCKOPT_HISTORY' {
        $h = Join-Path $script:tmp 'sub/history.jsonl'
        Compare-DockOptImage $script:big $script:small -HistoryPath $h | Out-Null
        $lines = @(Get-Content $h)
        $lines.Count | Should -Be 1
        $rec = $lines[0] | ConvertFrom-Json
        $rec.kind | Should -Be 'Comparison'
        $rec.image | Should -Be $script:small
        $rec.size | Should -Be $script:smallI.Size
        $rec.referenceSize | Should -Be $script:bigI.Size
        $env:DOCKOPT_HISTORY = $h
        try { Compare-DockOptImage $script:big $script:small | Out-Null }
        finally { Remove-Item Env:DOCKOPT_HISTORY }
        @(Get-Content $h).Count | Should -Be 2
        Compare-DockOptImage $script:big $script:small | Out-Null
        @(Get-Content $h).Count | Should -Be 2
    }

    It 'an unwritable history is a HistoryWriteFailed error, and the comparison is still returned' {
        $blocker = Join-Path $script:tmp 'not-a-directory'
        Set-Content -Path $blocker -Value 'x'
        $c = Compare-DockOptImage $script:big $script:small -HistoryPath (Join-Path $blocker 'h.jsonl') -ErrorVariable err -ErrorAction SilentlyContinue
        $c.DifferenceSize | Should -Be $script:smallI.Size
        $err[0].FullyQualifiedErrorId | Should -Be 'HistoryWriteFailed,DockOpt.Cmdlets.CompareDockOptImageCommand'
    }

    It 'parallel processes appending to one history lose no line' {
        $h = Join-Path $script:tmp 'parallel.jsonl'
        $jobs = 1..3 | ForEach-Object {
            Start-Job -ArgumentList (Get-DockOptTestModulePath), $script:big, $script:small, $h -ScriptBlock {
                param($m, $r, $d, $h)
                Import-Module $m
                1..15 | ForEach-Object { Compare-DockOptImage $r $d -HistoryPath $h | Out-Null }
            }
        }
        $jobs | Wait-Job -Timeout 180 | Receive-Job -ErrorAction Stop
        $jobs | Remove-Job -Force
        $lines = @(Get-Content $h)
        $lines.Count | Should -Be 45
        $lines | ForEach-Object { ($_ | ConvertFrom-Json).size | Should -Be $script:smallI.Size }
    }

    It 'reports <Id> for <Case>' -ForEach @(
        @{ Case = 'a missing image'; Id = 'ImageNotFound'; Script = { Compare-DockOptImage 'dockopt-compare-missing:none' $script:small -ErrorAction Stop } }
        @{ Case = 'an ambiguous repository'; Id = 'AmbiguousImage'; Script = { Compare-DockOptImage $script:repo $script:small -ErrorAction Stop } }
        @{ Case = 'a value that is not an image'; Id = 'InvalidImageArgument'; Script = { Compare-DockOptImage $script:big -DifferenceImage (Get-Date) -ErrorAction Stop } }
        @{ Case = 'one piped image'; Id = 'ComparisonNeedsTwoImages'; Script = { $script:small | Compare-DockOptImage -ErrorAction Stop } }
    ) {
        { & $Script } | Should -Throw -ErrorId "$Id,DockOpt.Cmdlets.CompareDockOptImageCommand"
        $e = $null
        try { & $Script | Out-Null } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Be "$Id,DockOpt.Cmdlets.CompareDockOptImageCommand"
        $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'a missing image is a non-terminating error: the next piped comparison still runs' {
        $out = 'dockopt-compare-missing:none', $script:small, $script:big, $script:small | Compare-DockOptImage -ErrorVariable err -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $out.ReferenceSize | Should -Be $script:bigI.Size
        $err[0].FullyQualifiedErrorId | Should -Be 'ImageNotFound,DockOpt.Cmdlets.CompareDockOptImageCommand'
    }
}
