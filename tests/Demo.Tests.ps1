# build.ps1 Demo end to end: examples/Demo.ps1 runs examples/ci/pipeline.ps1 on the Flask example, and every artefact
# it leaves is checked against the engine (docker image inspect), the registry (its HTTP API) and the files.
BeforeDiscovery {
    $script:hasDocker = $null -ne (Get-Command docker -ErrorAction Ignore) -and $(& docker version --format '{{.Server.Version}}' 2>$null; $LASTEXITCODE -eq 0)
    # The local registry build.ps1 Bootstrap starts (127.0.0.1:5000); without it the demo publishes nothing.
    $probe = [System.Net.Sockets.TcpClient]::new()
    $script:hasRegistry = $false
    try { $probe.Connect('127.0.0.1', 5000); $script:hasRegistry = $true } catch { } finally { $probe.Dispose() }
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:modulePath = Get-DockOptTestModulePath
    Import-Module $script:modulePath -Force
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
    $script:reports = Join-Path ([IO.Path]::GetTempPath()) "dockopt-demotest-$([guid]::NewGuid().ToString('n'))"
    $script:image = "dockopt-demotest/flask-api-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $script:registry = '127.0.0.1:5000'
    # DOCKOPT_BASE_NAMESPACE: a parallel set of Bootstrap's bases (build/Bootstrap.ps1 -BaseNamespace), else dockopt/.

    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $pre = @()
    if (-not (Test-Path $pwsh)) { $pwsh = [Environment]::ProcessPath; $pre = @(Join-Path $PSHOME 'pwsh.dll') }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $script:output = & $pwsh @pre -NoProfile -NonInteractive -File (Join-Path $script:root 'examples/Demo.ps1') -ModulePath $script:modulePath `
        -ReportPath $script:reports -ImageName $script:image -BaseNamespace ($env:DOCKOPT_BASE_NAMESPACE ?? 'dockopt') 2>&1 | Out-String -Width 300
    $script:exit = $LASTEXITCODE
    $script:seconds = $sw.Elapsed.TotalSeconds
    $sumFile = Join-Path $script:reports 'summary.json'
    $script:summary = (Test-Path $sumFile) ? (Get-Content -Raw $sumFile | ConvertFrom-Json) : $null
    $script:single = "$($script:image):single-stage"
    $script:multi = "$($script:image):multi-stage"
    function script:Inspect([string] $Name, [string] $Format) { (& docker image inspect $Name --format $Format).Trim() }
}
AfterAll {
    Remove-Item -Recurse -Force $script:reports -ErrorAction Ignore
    & docker image rm -f $script:single $script:multi 2>$null | Out-Null
}

Describe 'build.ps1 Demo (examples/Demo.ps1 through examples/ci/pipeline.ps1)' -Tag 'RequiresDocker', 'Examples' -Skip:(-not $script:hasDocker) {
    It 'runs to the end and names the report and the measured reduction beside the seeds'' target' {
        $script:exit | Should -Be 0 -Because $script:output
        $script:summary | Should -Not -BeNullOrEmpty
        $script:output | Should -Match ([regex]::Escape((Join-Path $script:reports 'report.html')))
        $script:output | Should -Match ("-{0}% \(seeds' target: -88%" -f [regex]::Escape([string]$script:summary.ReductionPercent))
        foreach ($step in 'build', 'compare', 'measure', 'lint', 'image tests', 'scan', 'report') { $script:output | Should -Match "\]\s+$step" }
    }

    It 'builds both variants (BuildKit where the engine has it) and states the sizes docker reports' {
        foreach ($v in @(@{ S = $script:summary.SingleStage; N = $script:single }, @{ S = $script:summary.MultiStage; N = $script:multi })) {
            $v.S.Name | Should -Be $v.N
            [long]$v.S.Size | Should -Be ([long](Inspect $v.N '{{.Size}}'))
            $v.S.ImageId | Should -Be (Inspect $v.N '{{.Id}}')
            $v.S.Builder | Should -BeIn 'BuildKit', 'Classic'
        }
    }

    It 'reaches the seeds'' -88 % single- vs multi-stage, as measured from the engine' {
        $ref = [long](Inspect $script:single '{{.Size}}')
        $dif = [long](Inspect $script:multi '{{.Size}}')
        $measured = 100.0 * ($ref - $dif) / $ref
        [math]::Abs([double]$script:summary.ReductionPercent - $measured) | Should -BeLessThan 0.01
        $measured | Should -BeGreaterOrEqual 88 -Because "the Flask example on Bootstrap's slim bases ($ref -> $dif bytes)"
    }

    It 'writes the CSV row with the sizes docker reports' {
        $rows = @(Import-Csv (Join-Path $script:reports 'size-report.csv'))
        $rows.Count | Should -Be 1
        $rows[0].ReferenceImage | Should -Be $script:single
        $rows[0].DifferenceImage | Should -Be $script:multi
        [long]$rows[0].ReferenceSize | Should -Be ([long](Inspect $script:single '{{.Size}}'))
        [long]$rows[0].DifferenceSize | Should -Be ([long](Inspect $script:multi '{{.Size}}'))
        [double]$rows[0].ReductionPercent | Should -Be ([double]$script:summary.ReductionPercent)
    }

    It 'measures both images with a score and names the top recommendations' {
        $a = Measure-DockOptImage $script:multi, $script:single
        [int]$script:summary.Score.MultiStage | Should -Be $a[0].Score
        [int]$script:summary.Score.SingleStage | Should -Be $a[1].Score
        $a[0].Score | Should -BeGreaterThan $a[1].Score
        @($script:summary.SingleStageRecommendations).Count | Should -BeGreaterThan 0
        $ids = @($a[1].Recommendations.Id)
        foreach ($r in $script:summary.SingleStageRecommendations) { ($r -split ' ')[0] | Should -BeIn $ids }
        $script:output | Should -Match 'score\s+\S+ \d+/100'
    }

    It 'lints both Dockerfiles into lint.sarif (the same findings as Test-DockOptDockerfile)' {
        $sarif = Get-Content -Raw (Join-Path $script:reports 'lint.sarif') | ConvertFrom-Json
        $lint = @(Test-DockOptDockerfile -Path (Join-Path $script:root 'examples/flask-api/Dockerfile.single-stage'), (Join-Path $script:root 'examples/flask-api/Dockerfile.multi-stage'))
        @($sarif.runs[0].results).Count | Should -Be $lint.Count
        [int]$script:summary.Lint.Findings | Should -Be $lint.Count
    }

    It 'runs the example''s image tests on the multi-stage image into junit.xml, all passing' {
        [xml]$junit = Get-Content -Raw (Join-Path $script:reports 'junit.xml')
        $cases = @($junit.SelectNodes('//testcase'))
        $cases.Count | Should -Be ([int]$script:summary.Tests.Total)
        $cases.Count | Should -BeGreaterThan 5
        @($junit.SelectNodes('//testcase[failure or error]')).Count | Should -Be 0
        [int]$script:summary.Tests.Passed | Should -Be ([int]$script:summary.Tests.Total)
        # runtime.healthInterval: 2s in the example spec: the engine probes every 2 s instead of waiting for the image's
        # 30 s interval before its first probe (the demo's pace).
        $hc = @($cases | Where-Object name -EQ 'Becomes healthy')
        $hc.Count | Should -Be 1
        [double]$hc[0].time | Should -BeLessThan 30
        (& docker image inspect $script:multi --format '{{.Config.Healthcheck.Interval}}') | Should -Be '30s'
    }

    It 'judges the multi-stage image an Application (its CMD starts app.py), so root and HEALTHCHECK would count' {
        $a = Measure-DockOptImage $script:multi
        $a.Profile | Should -Be 'Application'
        @($a.Recommendations.Id) | Should -Not -Contain 'DOA009'   # it runs as 10001
        @($a.Recommendations.Id) | Should -Not -Contain 'DOA010'   # it has a HEALTHCHECK
        @($a.Recommendations.Id) | Should -Not -Contain 'DOA013'   # only the base's copyright files are under /usr/share/doc
    }

    It 'scans the multi-stage image into scan.sarif and says plainly what the scan covered' {
        $sarif = Get-Content -Raw (Join-Path $script:reports 'scan.sarif') | ConvertFrom-Json
        $sarif.runs.Count | Should -BeGreaterThan 0
        $script:summary.Database | Should -Match '^(updated|could not be updated: .+)'
        if ($script:summary.Database -like 'could not*' -and $script:summary.Scan -like 'secrets and configuration only*') {
            [int]$script:summary.ScanResult.Vulnerabilities | Should -Be 0 -Because 'offline nothing is invented'
            $script:output | Should -Match 'secrets and configuration only'
        }
        $script:summary.ScanResult.Outcome | Should -Not -BeNullOrEmpty
    }

    It 'publishes the multi-stage image to the local registry under latest, the git SHA and the version' -Skip:(-not $script:hasRegistry) {
        $version = (Import-PowerShellDataFile (Join-Path $script:root 'DockOpt.psd1')).ModuleVersion
        $sha = (& git -C $script:root rev-parse HEAD).Trim()
        $pub = @($script:summary.Published)
        $pub.Count | Should -Be 3
        $tags = $pub | ForEach-Object { ($_ -split '@')[0] -replace '^.*:', '' }
        $tags | Should -Contain 'latest'
        $tags | Should -Contain $version
        @($tags | Where-Object { $_ -match '^[0-9a-f]{7,40}$' -and $sha.StartsWith($_) }).Count | Should -Be 1
        $localConfig = Inspect $script:multi '{{.Id}}'
        foreach ($p in $pub) {
            $ref, $digest = $p -split '@'
            $tag = $ref -replace '^.*:', ''
            $r = Invoke-WebRequest -Uri "http://$($script:registry)/v2/$($script:image)/manifests/$tag" -Headers @{
                Accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' }
            "$($r.Headers['Docker-Content-Digest'])" | Should -Be $digest
            $body = $r.Content -is [byte[]] ? [Text.Encoding]::UTF8.GetString($r.Content) : $r.Content
            ($body | ConvertFrom-Json).config.digest | Should -Be $localConfig -Because 'the registry holds the image the demo built'
        }
        # The compressed size the demo shows (an estimate: each layer gzipped as docker push does) against the bytes the
        # registry's manifest lists for the pushed layers: within 2 % (measured differences are under 1 %).
        $pushed = ((($body | ConvertFrom-Json).layers | Measure-Object size -Sum).Sum)
        $estimate = [long]$script:summary.MultiStage.CompressedSize
        $estimate | Should -BeGreaterThan 0
        [math]::Abs($estimate - $pushed) / $pushed | Should -BeLessThan 0.02 -Because "estimate $estimate, registry $pushed"
        $script:summary.CostBasis | Should -Be 'Compressed'
    }

    It 'writes the HTML report with the comparison and the Markdown report' {
        $html = Get-Content -Raw $script:summary.Report
        $script:summary.Report | Should -Be (Join-Path $script:reports 'report.html')
        $html | Should -Match '<html'
        $html | Should -Match ([regex]::Escape($script:multi))
        $html | Should -Match ([regex]::Escape([string]$script:summary.ReductionPercent))
        Test-Path (Join-Path $script:reports 'report.md') | Should -BeTrue
    }

    It 'appends the builds and the comparison to the history' {
        $h = @(Get-DockOptHistory -Path (Join-Path $script:reports 'history.jsonl'))
        @($h | Where-Object Kind -EQ 'Build').Count | Should -Be 2
        @($h | Where-Object Kind -EQ 'Comparison').Count | Should -Be 1
        @($h | Where-Object { $_.Kind -eq 'Build' -and $_.Image -eq $script:multi }).Count | Should -Be 1
    }
}
