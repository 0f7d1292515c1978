BeforeDiscovery {
    $script:chromium = (Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    $script:chromium = (Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "h9-report-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    New-Item -ItemType Directory -Path $script:work | Out-Null
    $script:shots = Join-Path $PSScriptRoot '../out/test-results/report'
    New-Item -ItemType Directory -Force -Path $script:shots | Out-Null

    # Headless Chromium: no network, a fresh profile per run. Returns the DOM after rendering, or writes a screenshot / PDF.
    function Invoke-Chromium([string[]] $Arguments) {
        $userDir = Join-Path $script:work "profile-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $flags = '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--hide-scrollbars', "--user-data-dir=$userDir"
        $out = & $script:chromium @flags @Arguments 2>$null
        Remove-Item -Recurse -Force $userDir -ErrorAction Ignore
        return $out
    }
    # All elements of a tag whose attributes match, as hashtables of their data-* attributes.
    function Get-DataElements([string] $Html, [string] $Pattern) {
        foreach ($m in [regex]::Matches($Html, $Pattern)) {
            $h = @{}
            foreach ($a in [regex]::Matches($m.Value, 'data-([a-z-]+)="([^"]*)"')) { $h[$a.Groups[1].Value] = [Net.WebUtility]::HtmlDecode($a.Groups[2].Value) }
            $h
        }
    }
    # The figure element (opening tag to </figure>) of a chart for one image.
    function Get-Figure([string] $Html, [string] $Chart, [string] $Image) {
        $ms = [regex]::Matches($Html, "<figure class=`"chart`" data-chart=`"$Chart`"[^>]*>.*?</figure>", 'Singleline')
        @($ms | Where-Object { -not $Image -or $_.Value -match "data-image=`"$([regex]::Escape($Image))`"" } | ForEach-Object Value)
    }

    if (Test-DockerEngine) {
        $ctx = Join-Path $script:work 'ctx'
        New-Item -ItemType Directory -Path $ctx | Out-Null
        Set-Content (Join-Path $ctx 'Dockerfile.single') "FROM dockopt/busybox:latest`nRUN dd if=/dev/zero of=/big bs=1024 count=1500 2>/dev/null`nRUN rm /big && echo hi > /hello`nRUN dd if=/dev/zero of=/data bs=1024 count=300 2>/dev/null`nRUN dd if=/dev/zero of=/data bs=1024 count=400 2>/dev/null`nCMD [`"sh`"]"
        Set-Content (Join-Path $ctx 'Dockerfile.multi') "FROM dockopt/busybox:latest AS build`nRUN dd if=/dev/zero of=/big bs=1024 count=1500 2>/dev/null`nFROM dockopt/busybox:latest`nRUN echo hi > /hello`nCMD [`"sh`"]"
        $script:repo = New-TestImageName 'h9-report'
        $script:history = Join-Path $script:work 'history.jsonl'
        # Two builds of each variant: two points per trend line.
        $b = foreach ($i in 1, 2) {
            Invoke-DockOptBuild -Path $ctx -Dockerfile (Join-Path $ctx 'Dockerfile.single') -Tag "$($script:repo):single" -HistoryPath $script:history
            Invoke-DockOptBuild -Path $ctx -Dockerfile (Join-Path $ctx 'Dockerfile.multi') -Tag "$($script:repo):multi" -HistoryPath $script:history
        }
        $script:builds = $b[2], $b[3]
        $script:comparison = $script:builds | Compare-DockOptImage
        $script:analyses = @(Measure-DockOptImage "$($script:repo):single", "$($script:repo):multi")
        $script:lint = @(Test-DockOptDockerfile -Path (Join-Path $ctx 'Dockerfile.single'), (Join-Path $ctx 'Dockerfile.multi'))
        $script:tests = @(Test-DockOptImage -Image "$($script:repo):multi" -Category Metadata)
        $script:scan = Invoke-DockOptScan "$($script:repo):single" -NoTrivy -WarningAction SilentlyContinue
        $script:all = @($script:builds) + $script:comparison + $script:analyses + $script:lint + $script:tests + $script:scan
        $script:html = Join-Path $script:work 'report.html'
        $script:all | Export-DockOptReport -HistoryPath $script:history -OutFile $script:html -Title 'DockOpt report test'
        $script:text = Get-Content -Raw $script:html
        if ($script:chromium) {
            $script:dom = (Invoke-Chromium @('--dump-dom', "file://$($script:html)")) -join "`n"
        }
    }
}

AfterAll {
    if ($script:repo) { Remove-TestImage "$($script:repo):single", "$($script:repo):multi" }
    Remove-Item -Recurse -Force $script:work -ErrorAction Ignore
}

Describe 'Export-DockOptReport (HTML from real DockOpt runs)' -Tag 'RequiresDocker' {
    It 'writes one self-contained file: no script, no external style sheet, font, image or url()' {
        $script:text | Should -Match '^<!DOCTYPE html>'
        $script:text | Should -Not -Match '<script|<link|<img|<iframe|@import|url\(|\ssrc='
        $script:text | Should -Match '@media \(prefers-color-scheme:dark\)'
        $script:text | Should -Match '@media print'
        # Each chart has a table beside it.
        $pairs = [regex]::Matches($script:text, '<div class="pair"><figure class="chart".*?</figure><div class="table-wrap"><table', 'Singleline')
        $pairs.Count | Should -Be ([regex]::Matches($script:text, '<figure class="chart"').Count)
    }

    Context 'charts carry the numbers of the objects (DOM rendered by headless Chromium)' -Skip:(-not $script:chromium) {
        It 'single- vs multi-stage: both sizes and the reduction' {
            $f = @(Get-Figure $script:dom 'comparison')
            $f.Count | Should -Be 1
            $d = Get-DataElements $f[0] '<figure [^>]*>'
            [long]$d['reference-size'] | Should -Be $script:comparison.ReferenceSize
            [long]$d['difference-size'] | Should -Be $script:comparison.DifferenceSize
            [double]$d['reduction-percent'] | Should -Be $script:comparison.ReductionPercent
            $bars = @(Get-DataElements $f[0] '<rect class="bar [^"]*"[^>]*data-size="[^"]*"[^>]*>')
            [long[]]$bars.size | Should -Be @($script:comparison.ReferenceSize, $script:comparison.DifferenceSize)
        }

        It 'per-layer size bars per image equal the analysis layers' {
            foreach ($a in $script:analyses) {
                $f = @(Get-Figure $script:dom 'layers' $a.Image)
                $f.Count | Should -Be 1
                $bars = @(Get-DataElements $f[0] '<rect class="bar [^"]*"[^>]*data-layer=[^>]*>')
                $expected = @($a.Layers | Where-Object { -not $_.IsEmpty })
                [long[]]$bars.size | Should -Be ([long[]]$expected.Size)
                [int[]]$bars.layer | Should -Be ([int[]]$expected.Index)
            }
        }

        It 'waste by cause sums the waste entries of the analysis' {
            $a = $script:analyses | Where-Object Image -like '*:single'
            $a.Waste.Count | Should -BeGreaterThan 0
            $bars = @(Get-DataElements @(Get-Figure $script:dom 'waste' $a.Image)[0] '<rect class="bar [^"]*"[^>]*data-cause=[^>]*>')
            $expected = $a.Waste | Group-Object Cause | ForEach-Object { @{ cause = $_.Name; bytes = ($_.Group | Measure-Object Bytes -Sum).Sum } }
            $bars.Count | Should -Be @($expected).Count
            foreach ($e in $expected) { [long]($bars | Where-Object { $_.cause -eq $e.cause }).bytes | Should -Be $e.bytes }
        }

        It 'scan severity counts equal the security report' {
            $bars = @(Get-DataElements @(Get-Figure $script:dom 'severity' $script:scan.Image)[0] '<rect class="bar [^"]*"[^>]*data-severity=[^>]*>')
            $bars.severity | Should -Be @('Critical', 'High', 'Medium', 'Low', 'Info', 'Unknown')
            [int[]]($bars | ForEach-Object { $_['count'] }) | Should -Be @($script:scan.Critical, $script:scan.High, $script:scan.Medium, $script:scan.Low, $script:scan.Info, $script:scan.UnknownSeverity)
        }

        It 'test outcomes count the image test results' {
            $segs = @(Get-DataElements @(Get-Figure $script:dom 'tests' "$($script:repo):multi")[0] '<rect class="bar [^"]*"[^>]*data-outcome=[^>]*>')
            foreach ($o in 'Passed', 'Failed', 'Error', 'Skipped') {
                [int]($segs | Where-Object outcome -eq $o)['count'] | Should -Be @($script:tests | Where-Object { "$($_.Outcome)" -eq $o }).Count
            }
        }

        It 'lint findings by severity' {
            $bars = @(Get-DataElements @(Get-Figure $script:dom 'lint')[0] '<rect class="bar [^"]*"[^>]*data-severity=[^>]*>')
            foreach ($g in $script:lint | Group-Object { "$($_.Severity)" }) {
                [int]($bars | Where-Object severity -eq $g.Name)['count'] | Should -Be $g.Count
            }
        }

        It 'size and build-time trends have one point per build record of the history file' {
            $records = Get-Content $script:history | ConvertFrom-Json | Where-Object kind -eq 'Build'
            $records.Count | Should -Be 4
            $points = @(Get-DataElements @(Get-Figure $script:dom 'size-trend')[0] '<circle class="dot"[^>]*>')
            $points.Count | Should -Be 4
            foreach ($r in $records) {
                $p = $points | Where-Object { $_.image -eq $r.image -and [datetime]::Parse($_.timestamp).ToUniversalTime() -eq $r.timestamp.ToUniversalTime() }
                [long]$p.size | Should -Be $r.size
            }
            $times = @(Get-DataElements @(Get-Figure $script:dom 'time-trend')[0] '<circle class="dot"[^>]*>')
            [double[]]($times | Sort-Object { [datetime]$_.timestamp }).seconds | Should -Be ([double[]]($records | Sort-Object timestamp).durationSeconds)
        }

        It 'build step bars carry the step times of each build' {
            foreach ($b in $script:builds) {
                $f = @(Get-Figure $script:dom 'build-steps' $b.Name)
                $d = Get-DataElements $f[0] '<figure [^>]*>'
                [double]$d.seconds | Should -Be $b.DurationSeconds
                [int]$d['cache-hits'] | Should -Be $b.CacheHits
            }
        }
    }

    Context 'screenshots (look at out/test-results/report/*.png)' -Skip:(-not $script:chromium) {
        It 'renders in the light and the dark scheme, and prints to PDF' {
            $light = Join-Path $script:shots 'report-light.png'
            $dark = Join-Path $script:shots 'report-dark.png'
            $pdf = Join-Path $script:shots 'report.pdf'
            Remove-Item $light, $dark, $pdf -ErrorAction Ignore
            Invoke-Chromium @('--window-size=1280,4200', "--screenshot=$light", "file://$($script:html)") | Out-Null
            Invoke-Chromium @('--window-size=1280,1400', '--force-dark-mode', "--screenshot=$dark", "file://$($script:html)") | Out-Null
            Invoke-Chromium @('--no-pdf-header-footer', "--print-to-pdf=$pdf", "file://$($script:html)") | Out-Null
            (Get-Item $light).Length | Should -BeGreaterThan 50kb
            (Get-Item $dark).Length | Should -BeGreaterThan 20kb
            (Get-FileHash $light).Hash | Should -Not -Be (Get-FileHash $dark).Hash
            [IO.File]::ReadAllBytes($pdf)[0..3] | Should -Be ([byte[]][char[]]'%PDF')
        }
    }

    It 'Markdown: the same sections as the step summary' {
        $md = $script:all | Export-DockOptReport -Format Markdown -Title 'T'
        $md | Should -BeOfType ([string])
        $md | Should -Match '(?m)^## T$'
        $md | Should -Match ([regex]::Escape("**$($script:comparison.ReductionPercent.ToString('0.#', [cultureinfo]::InvariantCulture)) %**"))
        $md | Should -Match "\| ``$([regex]::Escape($script:scan.Image))`` \| $($script:scan.Outcome) \| $($script:scan.Score) "
        $md | Should -Match '### Dockerfile lint'
    }
}

Describe 'Export-DockOptReport (parameters and errors)' {
    BeforeAll {
        $script:obj = [DockOpt.ImageComparison]@{ ReferenceImage = 'a:1'; DifferenceImage = 'a:2'; ReferenceSize = 1000; DifferenceSize = 250 }
    }
    It 'infers Markdown from .md and writes the file atomically; -PassThru returns it' {
        $f = $script:obj | Export-DockOptReport -OutFile (Join-Path $TestDrive 'r.md') -PassThru
        $f | Should -BeOfType ([IO.FileInfo])
        Get-Content -Raw $f | Should -Match '\*\*75 %\*\*'
        Get-ChildItem $TestDrive -Force -Filter '*.tmp' | Should -BeNullOrEmpty
    }
    It 'an unknown extension without -Format fails with ReportFormatUnknown' {
        { $script:obj | Export-DockOptReport -OutFile (Join-Path $TestDrive 'r.txt') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ReportFormatUnknown,DockOpt.Cmdlets.ExportDockOptReportCommand'
    }
    It 'a missing folder fails with ReportFolderNotFound and creates nothing' {
        { $script:obj | Export-DockOptReport -OutFile (Join-Path $TestDrive 'no/r.html') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ReportFolderNotFound,DockOpt.Cmdlets.ExportDockOptReportCommand'
        Test-Path (Join-Path $TestDrive 'no') | Should -BeFalse
    }
    It 'no DockOpt input fails with ReportInputEmpty, other objects are warned about' {
        { 'text', 42 | Export-DockOptReport -ErrorAction Stop -WarningVariable w -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'ReportInputEmpty,DockOpt.Cmdlets.ExportDockOptReportCommand'
    }
    It '-WhatIf writes nothing' {
        $script:obj | Export-DockOptReport -OutFile (Join-Path $TestDrive 'w.html') -WhatIf
        Test-Path (Join-Path $TestDrive 'w.html') | Should -BeFalse
    }
    It 'hostile text is escaped in HTML' {
        $x = [DockOpt.ImageComparison]@{ ReferenceImage = '<script>alert(1)</script>'; DifferenceImage = 'b"><img src=x>'; ReferenceSize = 10; DifferenceSize = 5 }
        $h = $x | Export-DockOptReport
        $h | Should -Not -Match '<script>|<img'
        $h | Should -Match '&lt;script&gt;alert\(1\)&lt;/script&gt;'
    }
}
