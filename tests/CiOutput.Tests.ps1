# CI-native output of real cmdlet runs in a child pwsh with the GitHub Actions / Azure Pipelines runner environment
# simulated (the variables and the files a runner provides).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:module = (Resolve-Path (Get-DockOptTestModulePath)).Path
    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh'); $script:pwshArgs = @()
    if (-not (Test-Path $script:pwsh)) { $script:pwsh = [Environment]::ProcessPath; $script:pwshArgs = @(Join-Path $PSHOME 'pwsh.dll') }

    # Runs $Script in a child pwsh with $Environment set (and every CI variable of this process removed); returns stdout lines and the exit code.
    function Invoke-CiChild([hashtable] $Environment, [string] $Script) {
        $names = 'GITHUB_ACTIONS', 'GITHUB_STEP_SUMMARY', 'GITHUB_OUTPUT', 'GITHUB_WORKSPACE', 'TF_BUILD', 'AGENT_TEMPDIRECTORY', 'BUILD_SOURCESDIRECTORY', 'DOCKOPT_CI'
        $saved = @{}
        foreach ($n in $names + @($Environment.Keys)) { $saved[$n] = [Environment]::GetEnvironmentVariable($n); [Environment]::SetEnvironmentVariable($n, $null) }
        try {
            foreach ($k in $Environment.Keys) { [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
            $full = "`$ErrorActionPreference = 'Stop'; Import-Module '$($script:module)'; $Script"
            $out = & $script:pwsh @script:pwshArgs -NoProfile -NonInteractive -Command $full 2>&1
            return [pscustomobject]@{ Lines = @($out | ForEach-Object { "$_" }); ExitCode = $LASTEXITCODE }
        }
        finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
    }

    function ConvertFrom-GitHubOutput([string] $Path) {
        $d = @{}
        foreach ($m in [regex]::Matches((Get-Content -Raw $Path), "(?<n>[^\n<]+)<<(?<d>ghadelimiter_[^\n]+)\n(?<v>.*?)\n\k<d>\n", 'Singleline')) { $d[$m.Groups['n'].Value] = $m.Groups['v'].Value }
        $d
    }

    # A workspace whose Dockerfile path holds the characters GitHub must escape in properties (',' and ':' and '%').
    $script:ws = Join-Path ([IO.Path]::GetTempPath()) "h9-ci-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $script:svc = Join-Path $script:ws 'svc,a:b%41'
    New-Item -ItemType Directory -Force -Path $script:svc | Out-Null
    $script:dockerfile = Join-Path $script:svc 'Dockerfile'
    Set-Content -Path $script:dockerfile -Value "FROM dockopt/busybox:latest`nRUN cd /tmp && echo hi`nCMD sh"
}

AfterAll { Remove-Item -Recurse -Force $script:ws -ErrorAction Ignore }

Describe 'CI output of Test-DockOptDockerfile' {
    BeforeEach {
        $script:run = Join-Path $script:ws "run-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        New-Item -ItemType Directory -Path $script:run | Out-Null
        $script:summary = Join-Path $script:run 'summary.md'; $script:output = Join-Path $script:run 'output'
        New-Item -ItemType File -Path $script:summary, $script:output | Out-Null
        $script:gh = @{ GITHUB_ACTIONS = 'true'; GITHUB_STEP_SUMMARY = $script:summary; GITHUB_OUTPUT = $script:output; GITHUB_WORKSPACE = $script:ws }
        $script:expected = @(Import-Module $script:module -PassThru -Force | Out-Null; Test-DockOptDockerfile -Path $script:dockerfile)
    }

    It 'GitHub: one annotation per finding at its escaped relative location, a summary section and the outputs' {
        $script:expected.Count | Should -BeGreaterThan 1
        $r = Invoke-CiChild $script:gh "Test-DockOptDockerfile -Path '$($script:dockerfile)' | Out-Null"
        $r.ExitCode | Should -Be 0
        $ann = @($r.Lines | Where-Object { $_ -match '^::(error|warning|notice) ' })
        $ann.Count | Should -Be $script:expected.Count
        foreach ($f in $script:expected) {
            $ann | Should -Contain ("::{0} file=svc%2Ca%3Ab%2541/Dockerfile,line={1},{2}col={3},{4}title={5}::{6}" -f `
                    ("$($f.Severity)" -in 'Critical', 'High' ? 'error' : "$($f.Severity)" -eq 'Medium' ? 'warning' : 'notice'), $f.Line,
                    ($f.EndLine -gt 0 ? "endLine=$($f.EndLine)," : ''), $f.Column, ($f.EndColumn -gt 0 ? "endColumn=$($f.EndColumn)," : ''),
                    ("$($f.RuleId) $($f.RuleName)".Trim() -replace '%', '%25' -replace ':', '%3A' -replace ',', '%2C'), ($f.Message -replace '%', '%25'))
        }
        $md = Get-Content -Raw $script:summary
        $md | Should -Match '### Dockerfile lint'
        $md | Should -Match "$($script:expected.Count) finding\(s\)"
        (ConvertFrom-GitHubOutput $script:output)['lint_findings'] | Should -Be "$($script:expected.Count)"
    }

    It 'GitHub: a failed gate is an ::error and a line of the summary, and the step fails' {
        $r = Invoke-CiChild $script:gh "Test-DockOptDockerfile -Path '$($script:dockerfile)' -FailOn Warning | Out-Null"
        $r.ExitCode | Should -Not -Be 0
        @($r.Lines | Where-Object { $_ -like '::error title=DockOpt gate failed (LintGateFailed)::*' }).Count | Should -Be 1
        Get-Content -Raw $script:summary | Should -Match '> \*\*❌ LintGateFailed: '
        (ConvertFrom-GitHubOutput $script:output)['gate'] | Should -Be 'Failed'
    }

    It 'DOCKOPT_CI=off: no annotation, no summary, no output' {
        $r = Invoke-CiChild ($script:gh + @{ DOCKOPT_CI = 'off' }) "Test-DockOptDockerfile -Path '$($script:dockerfile)' | Out-Null"
        @($r.Lines | Where-Object { $_ -match '^::' }).Count | Should -Be 0
        (Get-Item $script:summary).Length | Should -Be 0
        (Get-Item $script:output).Length | Should -Be 0
    }

    It 'outside CI: nothing' {
        $r = Invoke-CiChild @{} "Test-DockOptDockerfile -Path '$($script:dockerfile)' | Out-Null"
        @($r.Lines | Where-Object { $_ -match '^(::|##vso)' }).Count | Should -Be 0
    }

    It 'Azure Pipelines: task.logissue per warning/error finding, the same markdown uploaded, output variables' {
        $r = Invoke-CiChild @{ TF_BUILD = 'True'; AGENT_TEMPDIRECTORY = $script:run; BUILD_SOURCESDIRECTORY = $script:ws } "Test-DockOptDockerfile -Path '$($script:dockerfile)' | Out-Null"
        $issues = @($r.Lines | Where-Object { $_ -like '##vso`[task.logissue *' })
        $issues.Count | Should -Be @($script:expected | Where-Object { "$($_.Severity)" -in 'Critical', 'High', 'Medium' }).Count
        foreach ($i in $issues) { $i | Should -Match '^##vso\[task\.logissue type=(error|warning);sourcepath=svc,a:b%AZP2541/Dockerfile;linenumber=\d+;columnnumber=\d+;code=[^;]+;\]' }
        $upload = $r.Lines | Where-Object { $_ -like '##vso`[task.uploadsummary]*' }
        @($upload).Count | Should -Be 1
        $file = $upload -replace '^##vso\[task\.uploadsummary\]', ''
        Get-Content -Raw $file | Should -Match '### Dockerfile lint'
        $r.Lines | Should -Contain "##vso[task.setvariable variable=lint_findings;isOutput=true;]$($script:expected.Count)"
    }
}

Describe 'CI output of a build and a comparison on the real engine' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'h9-ci'
        $script:run = Join-Path $script:ws 'build'
        New-Item -ItemType Directory -Path $script:run | Out-Null
        Set-Content (Join-Path $script:run 'Dockerfile') "FROM dockopt/busybox:latest`nRUN echo one > /one`nRUN dd if=/dev/zero of=/pad bs=1024 count=200 2>/dev/null"
        $script:summary = Join-Path $script:run 'summary.md'; $script:output = Join-Path $script:run 'output'
        New-Item -ItemType File -Path $script:summary, $script:output | Out-Null
        $env = @{ GITHUB_ACTIONS = 'true'; GITHUB_STEP_SUMMARY = $script:summary; GITHUB_OUTPUT = $script:output; GITHUB_WORKSPACE = $script:ws }
        $script:r = Invoke-CiChild $env "Invoke-DockOptBuild -Path '$($script:run)' -Tag '$($script:repo):ci' | Out-Null; Compare-DockOptImage dockopt/busybox:latest '$($script:repo):ci' | Out-Null"
        $script:inspect = (& docker image inspect "$($script:repo):ci" | ConvertFrom-Json)[0]
        $script:base = (& docker image inspect 'dockopt/busybox:latest' | ConvertFrom-Json)[0]
    }
    AfterAll { Remove-TestImage "$($script:repo):ci" }

    It 'groups the build log' {
        $script:r.ExitCode | Should -Be 0
        $start = [array]::IndexOf($script:r.Lines, ($script:r.Lines | Where-Object { $_ -like "::group::DockOpt build $($script:repo):ci: 3 steps*" }))
        $start | Should -BeGreaterOrEqual 0
        $script:r.Lines[$start + 1] | Should -Match '^Step 1/3 \(line 1\): FROM (docker\.io/)?dockopt/busybox:latest'
        $script:r.Lines[$start + 4] | Should -Be '::endgroup::'
    }
    It 'writes the build and the comparison to the summary and the key values to the outputs, equal to what docker reports' {
        $md = Get-Content -Raw $script:summary
        $md | Should -Match '### Builds'
        $md | Should -Match '### Size comparison'
        $o = ConvertFrom-GitHubOutput $script:output
        $o['image_id'] | Should -Be $script:inspect.Id
        $o['size'] | Should -Be "$($script:inspect.Size)"     # the comparison's candidate size, written last
        $o['reference_size'] | Should -Be "$($script:base.Size)"
        [double]$o['reduction_percent'] | Should -Be ([math]::Round(100.0 * ($script:base.Size - $script:inspect.Size) / $script:base.Size, 2))
    }
}

Describe 'CI annotations of scan findings at the Dockerfile line that created them' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'g-ci-scan'
        $script:run = Join-Path $script:ws 'scan'
        New-Item -ItemType Directory -Path $script:run | Out-Null
        # A token generated per run (nothing credential-shaped is committed), and requests 2.30.0 written as pip would
        # leave it: affected by CVE-2023-32681 (PYSEC-2023-74 / GHSA-j8r2-6x86-q33q, fixed in 2.31.0), verbatim test data.
        $alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
        $token = 'ghp_' + -join (1..36 | ForEach-Object { $alnum[(Get-Random -Maximum 62)] })
        $di = '/usr/lib/python3/dist-packages/requests-2.30.0.dist-info'
        $script:df = Join-Path $script:run 'Dockerfile'
        Set-Content $script:df @"
FROM dockopt/busybox:latest
RUN echo one > /one
RUN mkdir -p /srv && echo 'token=$token' > /srv/app.env
RUN mkdir -p $di && printf 'Metadata-Version: 2.1\nName: requests\nVersion: 2.30.0\n' > $di/METADATA
CMD ["sh"]
"@
        $osv = Join-Path $PSScriptRoot 'DockOpt.Engine.Tests/Security/Data/osv'
        $script:dbs = "'$(Join-Path $osv 'pypi/PYSEC-2023-74.yaml')', '$(Join-Path $osv 'ghsa/GHSA-j8r2-6x86-q33q.json')'"
        $script:summary = Join-Path $script:run 'summary.md'; $script:output = Join-Path $script:run 'output'
        New-Item -ItemType File -Path $script:summary, $script:output | Out-Null
        $env = @{ GITHUB_ACTIONS = 'true'; GITHUB_STEP_SUMMARY = $script:summary; GITHUB_OUTPUT = $script:output; GITHUB_WORKSPACE = $script:ws }
        # the build result piped in carries its Dockerfile
        $script:r = Invoke-CiChild $env "Invoke-DockOptBuild -Path '$($script:run)' -Tag '$($script:repo):ci' | Invoke-DockOptScan -NoTrivy -VulnerabilityDatabase $($script:dbs) | Out-Null"
    }
    AfterAll { Remove-TestImage "$($script:repo):ci" }

    It 'annotates the secret at the RUN that wrote it and the vulnerability at the RUN that installed the package' {
        $script:r.ExitCode | Should -Be 0 -Because ($script:r.Lines -join "`n")
        $ann = @($script:r.Lines | Where-Object { $_ -match '^::(error|warning|notice) file=' })
        $secret = @($ann | Where-Object { $_ -like '::error file=scan/Dockerfile,line=3,title=DO-SEC-GITHUB-TOKEN Secret::GitHub token in a file: /srv/app.env:1 *' })
        $secret.Count | Should -Be 1 -Because ($ann -join "`n")
        $vuln = @($ann | Where-Object { $_ -match '^::warning file=scan/Dockerfile,line=4,title=\S+ Medium::\S+ in requests 2\.30\.0 \(fixed in 2\.31\.0\)' })
        $vuln.Count | Should -Be 1 -Because ($ann -join "`n")
        @($ann | Where-Object { $_ -notmatch 'file=scan/Dockerfile,line=[34],' }) | Should -BeNullOrEmpty   # nothing at the base image or elsewhere
        ($ann -join "`n") | Should -Not -Match 'ghp_[A-Za-z0-9]{36}'                     # annotations carry the redacted match
    }

    It 'ties the findings to the lines with -Dockerfile as well, outside CI' {
        $dbs = Invoke-Expression "@($($script:dbs))"
        $rep = Invoke-DockOptScan "$($script:repo):ci" -NoTrivy -VulnerabilityDatabase $dbs -Dockerfile $script:df
        $v = @($rep.Vulnerabilities | Where-Object Package -eq 'requests')
        $v.Count | Should -Be 1
        ($v[0].Dockerfile, $v[0].Line) | Should -Be @((Resolve-Path $script:df).Path, 4)
        $v[0].Instruction | Should -BeLike 'RUN mkdir -p /usr/lib/python3/dist-packages/requests-2.30.0.dist-info *'
        $s = @($rep.Findings | Where-Object RuleId -eq 'DO-SEC-GITHUB-TOKEN')
        $s.Count | Should -Be 1
        $s[0].Line | Should -Be 3
        @($rep.Findings | Where-Object { $_.IsBaseLayer -and $null -ne $_.Line }) | Should -BeNullOrEmpty
        $s[0].Instruction | Should -BeLike "RUN mkdir -p /srv && echo 'token=ghp_****"*
        ($rep | ConvertTo-Json -Depth 6) | Should -Not -Match 'ghp_[A-Za-z0-9]{36}'          # the echoed instruction is masked too
    }
}
