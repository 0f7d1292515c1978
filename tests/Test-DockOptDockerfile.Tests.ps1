BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:cmd = 'DockOpt.Cmdlets.TestDockOptDockerfileCommand'
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ("dockopt-lint-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $script:root | Out-Null

    function New-Dockerfile([string] $RelativePath, [string] $Text) {
        $p = Join-Path $script:root $RelativePath
        New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
        [IO.File]::WriteAllText($p, $Text)
        return $p
    }

    # Runs a script in a child pwsh (same executable) and returns @{ Output; ExitCode }.
    function Invoke-ChildPwsh([string] $Script) {
        $exe = [Environment]::ProcessPath
        $pre = if ((Split-Path $exe -Leaf) -like 'dotnet*') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $full = "Import-Module '$(Get-DockOptTestModulePath)'; $Script"
        $out = & $exe @pre -NoProfile -NonInteractive -Command $full 2>&1
        return @{ Output = ($out | Out-String); ExitCode = $LASTEXITCODE }
    }
}

AfterAll {
    if ($script:root -and (Test-Path $script:root)) { Remove-Item -Recurse -Force $script:root }
}

Describe 'Test-DockOptDockerfile' {
    Context 'input' {
        BeforeAll {
            $script:tree = Join-Path $script:root 'tree'
            $untagged = "FROM debian`nUSER 1000`nHEALTHCHECK NONE`n"
            $script:expected = @(
                New-Dockerfile 'tree/Dockerfile' $untagged
                New-Dockerfile 'tree/svc/Dockerfile.prod' $untagged
                New-Dockerfile 'tree/svc/api.dockerfile' $untagged
                New-Dockerfile 'tree/deep/er/Containerfile' $untagged
            ) | Sort-Object
            New-Dockerfile 'tree/README.md' 'FROM debian' | Out-Null
            New-Dockerfile 'tree/node_modules/pkg/Dockerfile' $untagged | Out-Null
            New-Dockerfile 'tree/.dockerignore' ".git`n" | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $script:tree 'svc/loop') -Target $script:tree | Out-Null
        }

        It 'recurses a directory for Dockerfile, Dockerfile.*, *.dockerfile and Containerfile (not node_modules, no symlink loop)' {
            $f = Test-DockOptDockerfile -Path $script:tree
            $f | Should -BeOfType ([DockOpt.LintFinding])
            @($f | Where-Object RuleId -eq 'DO5005' | ForEach-Object Path | Sort-Object -Unique) | Should -Be $script:expected
            @($f | Where-Object RuleId -eq 'DO5005').Count | Should -Be $script:expected.Count   # each file once
            ($f | Where-Object RuleId -eq 'DO5005')[0].HadolintId | Should -Be 'DL3006'
        }

        It 'lints FileInfo objects from the pipeline' {
            $f = Get-ChildItem -Path $script:tree -Recurse -File -Filter '*ockerfile*' | Where-Object FullName -notmatch 'node_modules' | Test-DockOptDockerfile
            @($f | Where-Object RuleId -eq 'DO5005' | ForEach-Object Path | Sort-Object -Unique) | Should -Be @($script:expected | Where-Object { $_ -notmatch 'Containerfile' })
        }

        It 'lints -Content with exact positions inside a multi-line RUN' {
            $text = "FROM debian:bookworm-slim`nRUN apt-get update \`n    && apt-get install --no-install-recommends curl \`n    && rm -rf /var/lib/apt/lists/*`n"
            $f = Test-DockOptDockerfile -Content $text | Where-Object RuleId -eq 'DO3003'
            $f.Path | Should -Be '<content>'
            '{0}:{1}-{2}:{3}' -f $f.Line, $f.Column, $f.EndLine, $f.EndColumn | Should -Be '3:16-3:23'
            $f.Stage | Should -Be '0'
            $f.Instruction | Should -Be 'RUN'
        }

        It 'writes DockerfileNotFound and DockerfileUnparseable per file and goes on' {
            $bin = Join-Path $script:root 'binary.Dockerfile'
            [IO.File]::WriteAllBytes($bin, [byte[]](0, 1, 2, 0, 70, 82))
            $good = New-Dockerfile 'one/Dockerfile' "FROM debian`n"
            $out = Test-DockOptDockerfile -Path (Join-Path $script:root 'missing.Dockerfile'), $bin, $good -ErrorVariable errs -ErrorAction SilentlyContinue
            @($errs.FullyQualifiedErrorId) | Should -Be @("DockerfileNotFound,$script:cmd", "DockerfileUnparseable,$script:cmd")
            $errs[1].CategoryInfo.Category | Should -Be 'ParserError'
            @($out | Where-Object Path -eq $good).Count | Should -BeGreaterThan 0
        }

        It 'honours inline ignores, -DisableInlineIgnore and -ExcludeRule' {
            $text = "FROM debian:bookworm-slim`n# hadolint ignore=DL3003`nRUN cd /tmp`n"
            @(Test-DockOptDockerfile -Content $text | Where-Object RuleId -eq 'DO3000').Count | Should -Be 0
            @(Test-DockOptDockerfile -Content $text -DisableInlineIgnore | Where-Object RuleId -eq 'DO3000').Count | Should -Be 1
            @(Test-DockOptDockerfile -Content $text -DisableInlineIgnore -ExcludeRule DL3003 | Where-Object RuleId -eq 'DO3000').Count | Should -Be 0
        }

        It 'reads .hadolint.yaml and .dockopt.yml next to the Dockerfile, and -ConfigPath' {
            $p = New-Dockerfile 'cfg/Dockerfile' "FROM debian:bookworm-slim`nRUN cd /x`n"
            New-Dockerfile 'cfg/.hadolint.yaml' "override:`n  error: [DL3003]`n" | Out-Null
            (Test-DockOptDockerfile $p | Where-Object RuleId -eq 'DO3000').Severity | Should -Be 'High'   # hadolint error = High
            New-Dockerfile 'cfg/.dockopt.yml' "ignored: [DO3000]`n" | Out-Null
            @(Test-DockOptDockerfile $p | Where-Object RuleId -eq 'DO3000').Count | Should -Be 0
            $other = New-Dockerfile 'other.yml' "override:`n  style: [DO3000]`n"
            (Test-DockOptDockerfile $p -ConfigPath $other | Where-Object RuleId -eq 'DO3000').Severity | Should -Be 'Info'   # hadolint style = Info
            { Test-DockOptDockerfile $p -ConfigPath (Join-Path $script:root 'nope.yml') } | Should -Throw -ErrorId "LintConfigNotFound,$script:cmd"
        }

        It '-BuildArg and -Target change what is linted' {
            $text = "ARG BASE`nFROM `${BASE} AS app`nUSER root`nFROM app AS slim`nUSER 10001`n"
            @(Test-DockOptDockerfile -Content $text | Where-Object RuleId -in 'DO5005', 'DO5001').Count | Should -Be 0
            (Test-DockOptDockerfile -Content $text -BuildArg @{ BASE = 'debian:latest' } | Where-Object RuleId -eq 'DO5005').HadolintId | Should -Be 'DL3007'
            (Test-DockOptDockerfile -Content $text -Target app | Where-Object RuleId -eq 'DO5001').Stage | Should -Be 'app'
        }
    }

    Context 'formats' {
        BeforeAll {
            $script:fmtFile = New-Dockerfile 'fmt/Dockerfile' "FROM debian:bookworm-slim`nRUN <<EOF`n  sudo apt-get install curl`nEOF`nCMD run`n"
            $script:objects = @(Test-DockOptDockerfile $script:fmtFile)
        }

        It 'Sarif 2.1.0 with regions equal to the objects' {
            $s = Test-DockOptDockerfile $script:fmtFile -Format Sarif | ConvertFrom-Json
            $s.version | Should -Be '2.1.0'
            $s.runs[0].results.Count | Should -Be $script:objects.Count
            $sudo = $s.runs[0].results | Where-Object ruleId -eq 'DO3001'
            $o = $script:objects | Where-Object RuleId -eq 'DO3001'
            $r = $sudo.locations[0].physicalLocation.region
            "$($r.startLine):$($r.startColumn)-$($r.endLine):$($r.endColumn)" | Should -Be "$($o.Line):$($o.Column)-$($o.EndLine):$($o.EndColumn)"
            "$($o.Line):$($o.Column)" | Should -Be '3:3'
            $s.runs[0].tool.driver.rules.id | Should -Contain 'DO3001'
        }

        It 'Json round-trips every finding' {
            $j = Test-DockOptDockerfile $script:fmtFile -Format Json | ConvertFrom-Json
            $j.Count | Should -Be $script:objects.Count
            ($j | ForEach-Object { "$($_.RuleId)@$($_.Line):$($_.Column)" }) | Should -Be ($script:objects | ForEach-Object { "$($_.RuleId)@$($_.Line):$($_.Column)" })
        }

        It 'Checkstyle and JUnit are XML with one entry per finding' {
            $c = [xml](Test-DockOptDockerfile $script:fmtFile -Format Checkstyle)
            @($c.checkstyle.file.error).Count | Should -Be $script:objects.Count
            $j = [xml](Test-DockOptDockerfile $script:fmtFile -Format JUnit)
            @($j.testsuites.testsuite.testcase.failure).Count | Should -Be $script:objects.Count
        }

        It 'GitHub writes one workflow command per finding' {
            $lines = @((Test-DockOptDockerfile $script:fmtFile -Format GitHub) -split "`n" | Where-Object { $_ })
            $lines.Count | Should -Be $script:objects.Count
            $lines | Where-Object { $_ -like '::error *title=DO3001 Sudo::*' } | Should -Match 'line=3,col=3,endLine=3,endColumn=7'
        }

        It '-OutFile writes the report and the findings still go to the pipeline; the extension names the format' {
            $out = Join-Path $script:root 'reports/lint.sarif'
            # Report folders are never created: a missing one fails (and stays missing).
            { Test-DockOptDockerfile $script:fmtFile -Format Sarif -OutFile $out } | Should -Throw -ErrorId "ReportFolderNotFound,$script:cmd"
            Join-Path $script:root 'reports' | Should -Not -Exist
            $null = New-Item -ItemType Directory -Path (Join-Path $script:root 'reports')
            $r = @(Test-DockOptDockerfile $script:fmtFile -Format Sarif -OutFile $out)
            $r.Count | Should -Be $script:objects.Count
            (Get-Content $out -Raw | ConvertFrom-Json).runs[0].results.Count | Should -Be $script:objects.Count
            Remove-Item $out
            $null = Test-DockOptDockerfile $script:fmtFile -OutFile $out
            (Get-Content $out -Raw | ConvertFrom-Json).runs[0].results.Count | Should -Be $script:objects.Count
            { Test-DockOptDockerfile $script:fmtFile -OutFile (Join-Path $script:root 'reports/lint.report') } | Should -Throw -ErrorId "ReportFormatUnknown,$script:cmd"
        }

        It 'has a default table view and flattens to CSV' {
            $text = $script:objects | Out-String -Width 200
            $text | Should -Match 'RuleId'
            $text | Should -Match 'DO3001'
            $csv = $script:objects | ConvertTo-Csv | ConvertFrom-Csv
            $csv.Count | Should -Be $script:objects.Count
            ($csv | Where-Object RuleId -eq 'DO3001').Column | Should -Be '3'
        }
    }

    Context '-FailOn' {
        It 'ends with one LintGateFailed after all files, summarizing counts' {
            $a = New-Dockerfile 'gate/a/Dockerfile' "FROM debian:bookworm-slim`nRUN sudo true`n"
            $b = New-Dockerfile 'gate/b/Dockerfile' "FROM debian:bookworm-slim`nRUN sudo true && sudo false`n"
            $seen = [Collections.Generic.List[object]]::new()
            $err = $null
            try { Test-DockOptDockerfile $a, $b -FailOn High | ForEach-Object { $seen.Add($_) } } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be "LintGateFailed,$script:cmd"
            $err.Exception.Message | Should -Match '3 finding\(s\) at or above High \(3 High\) in 2 file\(s\)'   # -FailOn Error is High on DockOpt's scale
            @($seen | Where-Object Path -eq $b).Count | Should -BeGreaterThan 0   # all files were linted first
        }

        It 'does not fail below the threshold, and fails closed on unparseable files' {
            $w = New-Dockerfile 'gate2/Dockerfile' "FROM debian:bookworm-slim`nRUN cd /x`nUSER 1000`nHEALTHCHECK NONE`n"
            { Test-DockOptDockerfile $w -FailOn High } | Should -Not -Throw
            { Test-DockOptDockerfile $w -FailOn Medium } | Should -Throw -ErrorId "LintGateFailed,$script:cmd"
            $empty = New-Dockerfile 'gate3/Dockerfile' "# only a comment`n"
            { Test-DockOptDockerfile $empty -FailOn Style -ErrorAction SilentlyContinue } | Should -Throw -ErrorId "LintGateFailed,$script:cmd"
        }

        It 'gives exit code 1 in a CI pwsh step and 0 when clean' {
            $bad = New-Dockerfile 'ci/bad/Dockerfile' "FROM debian:bookworm-slim`nRUN sudo true`n"
            $r = Invoke-ChildPwsh "Test-DockOptDockerfile '$bad' -FailOn High | Out-Null"
            $r.ExitCode | Should -Be 1
            $r.Output | Should -Match 'LintGateFailed|Lint gate failed'
            $r = Invoke-ChildPwsh "Test-DockOptDockerfile '$bad' -FailOn High -ExcludeRule DO3001 | Out-Null"
            $r.ExitCode | Should -Be 0
        }
    }

    Context '-Fix' {
        BeforeAll {
            $script:fixText = "from debian:bookworm-slim as base`nRUN apt-get update && apt-get install curl && rm -rf /var/lib/apt/lists/*`nADD app.py /srv/`nCMD python3 /srv/app.py`n"
        }

        It '-WhatIf shows the diff and leaves the file alone' {
            $p = New-Dockerfile 'fix1/Dockerfile' $script:fixText
            $r = Invoke-ChildPwsh "Test-DockOptDockerfile '$p' -Fix -WhatIf | Out-Null"
            [IO.File]::ReadAllText($p) | Should -Be $script:fixText
            $r.Output | Should -Match 'What if'
            $r.Output | Should -Match '(?m)^-ADD app\.py /srv/'
            $r.Output | Should -Match '(?m)^\+COPY app\.py /srv/'
            $r.Output | Should -Match '(?m)^\+CMD \["python3", "/srv/app\.py"\]'
        }

        It 'rewrites safely through a temp file and reports what remains' {
            $p = New-Dockerfile 'fix2/Dockerfile' $script:fixText
            $after = Test-DockOptDockerfile $p -Fix -Confirm:$false
            [IO.File]::ReadAllText($p) | Should -Be "FROM debian:bookworm-slim AS base`nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*`nCOPY app.py /srv/`nCMD [`"python3`", `"/srv/app.py`"]`n"
            @($after | Where-Object Fixable).Count | Should -Be 0
            @(Get-ChildItem (Split-Path $p) -Filter '*.tmp').Count | Should -Be 0
        }

        It 'keeps the BOM, CRLF line endings, bytes outside the edits and the mode, and writes through a symlink' -Skip:($IsWindows) {
            $dir = Join-Path $script:root 'fix3'
            New-Item -ItemType Directory -Force -Path (Join-Path $dir 'real') | Out-Null
            $target = Join-Path $dir 'real/Dockerfile.base'
            $text = "`u{FEFF}# caf`u{e9} `u{2603}`r`nfrom debian:bookworm-slim`r`nADD app.py /srv/`r`n"
            [IO.File]::WriteAllBytes($target, [Text.UTF8Encoding]::new($false).GetBytes($text))
            & chmod 0750 $target
            $link = Join-Path $dir 'Dockerfile'
            New-Item -ItemType SymbolicLink -Path $link -Target $target | Out-Null
            Test-DockOptDockerfile $link -Fix -Confirm:$false | Out-Null
            (Get-Item $link).LinkTarget | Should -Be $target
            $expected = [Text.UTF8Encoding]::new($false).GetBytes("`u{FEFF}# caf`u{e9} `u{2603}`r`nFROM debian:bookworm-slim`r`nCOPY app.py /srv/`r`n")
            [Convert]::ToHexString([IO.File]::ReadAllBytes($target)) | Should -Be ([Convert]::ToHexString($expected))
            (Get-Item $target).UnixFileMode.ToString() | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute').ToString()
        }

        It 'refuses to rewrite a file that is not UTF-8 (DockerfileFixRefused) and leaves its bytes alone' {
            $p = Join-Path $script:root 'fix4/Dockerfile'
            New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
            $bytes = [Text.Encoding]::Latin1.GetBytes("# caf`u{e9}`nfrom debian:bookworm-slim`nADD app.py /srv/`n")
            [IO.File]::WriteAllBytes($p, $bytes)
            $err = $null
            Test-DockOptDockerfile $p -Fix -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            @($err | ForEach-Object { $_.FullyQualifiedErrorId }) -join ',' | Should -Match '^DockerfileFixRefused'
            [Convert]::ToHexString([IO.File]::ReadAllBytes($p)) | Should -Be ([Convert]::ToHexString($bytes))
        }
    }

    Context 'special files' {
        It 'fails at once with FileNotRegular for a FIFO given as Dockerfile or met in a folder scan' -Skip:($IsWindows -or -not (Get-Command mkfifo -ErrorAction SilentlyContinue)) {
            $dir = Join-Path $script:root 'fifo'
            New-Item -ItemType Directory -Force -Path $dir | Out-Null
            & mkfifo (Join-Path $dir 'Dockerfile')
            # In a child pwsh bounded by a timeout: a hang fails the test instead of blocking the run.
            $job = Start-ThreadJob { param($m, $d)
                Import-Module $m
                $e1 = $null; $e2 = $null
                Test-DockOptDockerfile -LiteralPath (Join-Path $d 'Dockerfile') -ErrorVariable e1 -ErrorAction SilentlyContinue | Out-Null
                Test-DockOptDockerfile -Path $d -ErrorVariable e2 -ErrorAction SilentlyContinue | Out-Null
                @($e1 + $e2 | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] })
            } -ArgumentList (Get-DockOptTestModulePath), $dir
            $done = Wait-Job $job -Timeout 60
            $done | Should -Not -BeNullOrEmpty -Because 'reading a FIFO must not hang'
            $ids = @(Receive-Job $job)
            $ids | Should -Be @('FileNotRegular', 'FileNotRegular')
            Remove-Job $job -Force
        }
    }
}
