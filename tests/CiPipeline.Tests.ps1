# examples/ci/pipeline.ps1 end to end on the local engine and registry, with the GitHub Actions runner simulated
# (GITHUB_* variables, the step summary and output files, a main-branch ref and a commit SHA).
BeforeDiscovery {
    # Bootstrap starts a registry on 127.0.0.1:5000 (DOCKOPT_REGISTRY_PORT) where docker-registry is installed.
    $script:hasRegistry = $false
    try { $script:hasRegistry = (Invoke-WebRequest "http://127.0.0.1:$($env:DOCKOPT_REGISTRY_PORT ?? 5000)/v2/" -TimeoutSec 3 -SkipHttpErrorCheck).StatusCode -in 200, 401 } catch { }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:module = (Resolve-Path (Get-DockOptTestModulePath)).Path
    $script:pipeline = (Resolve-Path (Join-Path $PSScriptRoot '../examples/ci/pipeline.ps1')).Path
    $script:registry = "127.0.0.1:$($env:DOCKOPT_REGISTRY_PORT ?? 5000)"
    $script:hasRegistry = $false
    try { $script:hasRegistry = (Invoke-WebRequest "http://$($script:registry)/v2/" -TimeoutSec 3 -SkipHttpErrorCheck).StatusCode -in 200, 401 } catch { }

    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh'); $script:pwshArgs = @()
    if (-not (Test-Path $script:pwsh)) { $script:pwsh = [Environment]::ProcessPath; $script:pwshArgs = @(Join-Path $PSHOME 'pwsh.dll') }

    function Invoke-Pipeline([hashtable] $Environment, [string[]] $Arguments) {
        $names = 'GITHUB_ACTIONS', 'GITHUB_STEP_SUMMARY', 'GITHUB_OUTPUT', 'GITHUB_WORKSPACE', 'GITHUB_REF', 'GITHUB_SHA', 'TF_BUILD', 'BUILD_SOURCEBRANCH', 'DOCKOPT_CI'
        $saved = @{}
        foreach ($n in $names) { $saved[$n] = [Environment]::GetEnvironmentVariable($n); [Environment]::SetEnvironmentVariable($n, $null) }
        try {
            foreach ($k in $Environment.Keys) { [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
            $out = & $script:pwsh @script:pwshArgs -NoProfile -NonInteractive -File $script:pipeline @Arguments 2>&1
            [pscustomobject]@{ Lines = @($out | ForEach-Object { "$_" }); ExitCode = $LASTEXITCODE }
        }
        finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
    }
    function ConvertFrom-GitHubOutput([string] $Path) {
        $d = @{}
        foreach ($m in [regex]::Matches((Get-Content -Raw $Path), "(?<n>[^\n<]+)<<(?<d>ghadelimiter_[^\n]+)\n(?<v>.*?)\n\k<d>\n", 'Singleline')) { $d[$m.Groups['n'].Value] = $m.Groups['v'].Value }
        $d
    }
    function New-Runner([string] $Name, [string] $Ref) {
        $dir = Join-Path $script:work $Name
        New-Item -ItemType Directory -Path $dir, "$dir/reports" | Out-Null
        $summary = Join-Path $dir 'summary.md'; $output = Join-Path $dir 'output'
        New-Item -ItemType File -Path $summary, $output | Out-Null
        [pscustomobject]@{
            Dir = $dir; Summary = $summary; Output = $output; Reports = "$dir/reports"
            Env = @{ GITHUB_ACTIONS = 'true'; GITHUB_STEP_SUMMARY = $summary; GITHUB_OUTPUT = $output; GITHUB_WORKSPACE = $script:work; GITHUB_REF = $Ref; GITHUB_SHA = $script:sha }
        }
    }

    $script:work = Join-Path ([IO.Path]::GetTempPath()) "h9-pipeline-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $script:svc = Join-Path $script:work 'service'
    New-Item -ItemType Directory -Force -Path $script:svc | Out-Null
    Set-Content (Join-Path $script:svc 'Dockerfile.single-stage') "FROM dockopt/busybox:latest`nRUN dd if=/dev/zero of=/toolchain bs=1024 count=1200 2>/dev/null`nRUN echo hello > /hello`nCMD [`"sh`"]"
    Set-Content (Join-Path $script:svc 'Dockerfile.multi-stage') "FROM dockopt/busybox:latest AS build`nRUN dd if=/dev/zero of=/toolchain bs=1024 count=1200 2>/dev/null && echo hello > /hello`nFROM dockopt/busybox:latest`nCOPY --from=build /hello /hello`nCMD [`"sh`"]"
    Set-Content (Join-Path $script:svc 'image-test.yaml') "schemaVersion: dockopt/v1`nmetadata:`n  execForm: true`nfiles:`n  - path: /hello`n    exists: true`n  - path: /toolchain`n    exists: false"
    $script:image = New-TestImageName 'h9-pipeline'
    $script:sha = -join ((1..40) | ForEach-Object { '0123456789abcdef'[(Get-Random -Maximum 16)] })
}

AfterAll {
    if ($script:image) { Remove-TestImage "$($script:image):single-stage", "$($script:image):multi-stage" }
    Remove-Item -Recurse -Force $script:work -ErrorAction Ignore
}

Describe 'examples/ci/pipeline.ps1 on main (GitHub Actions simulated)' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:main = New-Runner 'main' 'refs/heads/main'
        if ((Test-DockerEngine) -and $script:hasRegistry) {
            $script:run = Invoke-Pipeline $script:main.Env @('-ModulePath', $script:module, '-ContextPath', $script:svc, '-ImageName', $script:image,
                '-ReportPath', $script:main.Reports, '-Registry', $script:registry, '-Repository', $script:image, '-Version', '1.2.3', '-FailOn', 'Critical')
            $script:outputs = ConvertFrom-GitHubOutput $script:main.Output
            $script:md = Get-Content -Raw $script:main.Summary
        }
    }

    It 'succeeds' -Skip:(-not $script:hasRegistry) {
        $script:run.ExitCode | Should -Be 0 -Because ($script:run.Lines -join "`n")
    }

    It 'writes a summary section for every stage' -Skip:(-not $script:hasRegistry) {
        foreach ($h in '### Builds', '### Size comparison', '### Image analysis', '### Dockerfile lint', '### Image tests', '### Security scan', '### Published') {
            $script:md | Should -Match ([regex]::Escape($h))
        }
        $script:md | Should -Match ([regex]::Escape("``$($script:image):single-stage``"))
    }

    It 'sets outputs equal to what docker and the registry report' -Skip:(-not $script:hasRegistry) {
        $s = (& docker image inspect "$($script:image):single-stage" | ConvertFrom-Json)[0]
        $m = (& docker image inspect "$($script:image):multi-stage" | ConvertFrom-Json)[0]
        [double]$script:outputs['reduction_percent'] | Should -Be ([math]::Round(100.0 * ($s.Size - $m.Size) / $s.Size, 2))
        $script:outputs['image_id'] | Should -Be $m.Id
        $published = $script:outputs['published'] -split "`n"
        $published.Count | Should -Be 3
        $tags = (Invoke-RestMethod "http://$($script:registry)/v2/$($script:image)/tags/list").tags
        $tags | Should -Contain 'latest'
        $tags | Should -Contain '1.2.3'
        @($tags | Where-Object { $script:sha.StartsWith($_) -and $_.Length -ge 7 }).Count | Should -Be 1
        $head = Invoke-WebRequest -Method Head "http://$($script:registry)/v2/$($script:image)/manifests/1.2.3" -Headers @{
            Accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' }
        $digest = "$($head.Headers['Docker-Content-Digest'])"
        $script:outputs['digest'] | Should -Be $digest
        $published | Should -Contain "$($script:registry)/$($script:image):1.2.3@$digest"
    }

    It 'leaves the artifacts: HTML and Markdown report, lint and scan SARIF, JUnit' -Skip:(-not $script:hasRegistry) {
        $r = $script:main.Reports
        $html = Get-Content -Raw "$r/report.html"
        $html | Should -Match '<figure class="chart" data-chart="comparison"'
        $html | Should -Match '<figure class="chart" data-chart="size-trend"'
        $html | Should -Match ([regex]::Escape($script:outputs['digest']))
        Get-Content -Raw "$r/report.md" | Should -Match '### Published'
        foreach ($sarif in 'lint.sarif', 'scan.sarif') {
            $j = Get-Content -Raw "$r/$sarif" | ConvertFrom-Json
            $j.version | Should -Be '2.1.0'
            @($j.runs).Count | Should -BeGreaterThan 0
        }
        [xml]$junit = Get-Content -Raw "$r/junit.xml"
        $cases = @($junit.SelectNodes('//testcase'))
        $cases.Count | Should -BeGreaterThan 0
        @($junit.SelectNodes('//testcase[failure or error]')).Count | Should -Be 0
        $script:outputs['report'] | Should -Be (Resolve-Path "$r/report.html").Path
    }

    It 'groups the build logs and annotates the lint findings' -Skip:(-not $script:hasRegistry) {
        @($script:run.Lines | Where-Object { $_ -like "::group::DockOpt build $($script:image):*" }).Count | Should -Be 2
        @($script:run.Lines | Where-Object { $_ -like '::endgroup::' }).Count | Should -BeGreaterOrEqual 2
        @($script:run.Lines | Where-Object { $_ -match '^::(warning|notice|error) file=service/Dockerfile\.(single|multi)-stage,line=\d+' }).Count | Should -BeGreaterThan 0
    }
}

Describe 'examples/ci/pipeline.ps1 off main with a failing gate' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:branch = New-Runner 'branch' 'refs/heads/feature'
        if ((Test-DockerEngine) -and $script:hasRegistry) {
            # -FailOn Low: the image runs as root and has a shell, which the configuration checks report.
            $script:run2 = Invoke-Pipeline $script:branch.Env @('-ModulePath', $script:module, '-ContextPath', $script:svc, '-ImageName', $script:image,
                '-ReportPath', $script:branch.Reports, '-Registry', $script:registry, '-Repository', "$($script:image)-branch", '-FailOn', 'Low')
        }
    }
    It 'fails the step after writing every artifact, annotates the gate and publishes nothing' -Skip:(-not $script:hasRegistry) {
        $script:run2.ExitCode | Should -Not -Be 0
        @($script:run2.Lines | Where-Object { $_ -like '::error title=DockOpt gate failed (SecurityGateFailed)::*' }).Count | Should -Be 1
        foreach ($f in 'report.html', 'report.md', 'lint.sarif', 'scan.sarif', 'junit.xml') { Test-Path (Join-Path $script:branch.Reports $f) | Should -BeTrue }
        $md = Get-Content -Raw $script:branch.Summary
        $md | Should -Match '> \*\*❌ SecurityGateFailed: '
        $md | Should -Not -Match '### Published'
        (Invoke-WebRequest "http://$($script:registry)/v2/$($script:image)-branch/tags/list" -SkipHttpErrorCheck).StatusCode | Should -Be 404
    }
}

Describe 'examples/ci templates' {
    BeforeAll {
        $script:python = (Get-Command python3 -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
        $script:params = (Get-Command (Resolve-Path (Join-Path $PSScriptRoot '../examples/ci/pipeline.ps1')).Path).Parameters.Keys
        # The steps of a template as JSON (python3's yaml parser: the test also proves the file is valid YAML).
        function Get-TemplateSteps([string] $File) {
            $json = & $script:python -c "import json,sys,yaml; d=yaml.safe_load(open(sys.argv[1])); s=d['jobs']['pipeline']['steps'] if 'jobs' in d else d['steps']; print(json.dumps(s))" $File
            if ($LASTEXITCODE -ne 0) { throw "not valid YAML: $File" }
            $json | ConvertFrom-Json
        }
        function Get-ScriptText($Step) { (@($Step.run, $Step.pwsh, $Step.inputs.inlineScript) | Where-Object { $_ }) -join "`n" }
    }

    It '<_> is valid YAML; its steps call pipeline.ps1 with parameters it has, and publish only on main' -ForEach 'github-actions.yml', 'azure-pipelines.yml' -Skip:(-not (Get-Command python3 -ErrorAction Ignore)) {
        $steps = @(Get-TemplateSteps (Join-Path $PSScriptRoot "../examples/ci/$_"))
        $calls = @($steps | Where-Object { (Get-ScriptText $_) -match 'pipeline\.ps1' })
        $calls.Count | Should -Be 2
        foreach ($c in $calls) {
            foreach ($p in [regex]::Matches((Get-ScriptText $c), '(?<=\s)-([A-Za-z]+)') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -notin 'NoProfile', 'File' }) {
                $script:params | Should -Contain $p
            }
        }
        $publish = $calls | Where-Object { (Get-ScriptText $_) -match '-Stage Publish' }
        "$($publish.if)$($publish.condition)" | Should -Match "refs/heads/main"
        $text = Get-Content -Raw (Join-Path $PSScriptRoot "../examples/ci/$_")
        $text | Should -Match 'junit\.xml'
        $text | Should -Match '\.sarif'
        $text | Should -Match 'dockopt-report'
    }
}
