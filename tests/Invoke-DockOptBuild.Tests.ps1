BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildContextParity.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('dockopt-build-' + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:work | Out-Null
    $script:images = [System.Collections.Generic.List[string]]::new()
    function script:New-Ctx([string] $Name, [hashtable] $Files) {
        $dir = Join-Path $script:work $Name
        foreach ($k in $Files.Keys) {
            $p = Join-Path $dir $k
            New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
            [IO.File]::WriteAllText($p, $Files[$k])
        }
        return $dir
    }
    function script:New-Tag([string] $t = 'test') {
        $name = (New-TestImageName 'dockopt-build') + ":$t"
        $script:images.Add($name)
        return $name
    }
    # These are the classic builder's tests (Invoke-DockOptBuild.BuildKit.Tests.ps1 has BuildKit's); Auto honours DOCKER_BUILDKIT=0.
    $script:savedBuildKit = $env:DOCKER_BUILDKIT
    $env:DOCKER_BUILDKIT = '0'
}

AfterAll {
    $env:DOCKER_BUILDKIT = $script:savedBuildKit
    Remove-TestImage $script:images
    if ($script:work -and (Test-Path $script:work)) { Remove-Item -Recurse -Force $script:work }
}

Describe 'Invoke-DockOptBuild' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:app = New-Ctx 'app' @{
            'Dockerfile' = "FROM dockopt/busybox:latest AS base`nARG GREETING=hi`nRUN echo `"`$GREETING from build`" > /greeting && dd if=/dev/zero of=/blob bs=1024 count=200 2>/dev/null`nCOPY app.txt /app/`nLABEL stage=final`nCMD [`"cat`", `"/greeting`"]`n"
            'app.txt'    = "app`n"
        }
    }

    It 'emits a BuildResult whose image, size and layers equal docker image inspect' {
        $tag = New-Tag
        $saved = $env:GITHUB_SHA, $env:GITHUB_REF_NAME
        try {
            $env:GITHUB_SHA = '0123456789abcdef0123456789abcdef01234567'
            $env:GITHUB_REF_NAME = 'feature/build'
            $r = Invoke-DockOptBuild -Path $script:app -Tag $tag -BuildArg @{ GREETING = 's3cret-greeting' } -Label @{ team = 'ops' } -NoCache
        }
        finally { $env:GITHUB_SHA, $env:GITHUB_REF_NAME = $saved }
        $r | Should -BeOfType ([DockOpt.BuildResult])
        $inspect = (& docker image inspect $tag | ConvertFrom-Json)[0]
        $r.ImageId | Should -Be $inspect.Id
        $r.Size | Should -Be $inspect.Size
        $r.LayerCount | Should -Be @($inspect.RootFS.Layers).Count
        $r.Tags | Should -Be @($tag)
        $r.Name | Should -Be $tag
        $inspect.Config.Labels.team | Should -Be 'ops'
        (& docker run --rm $tag) | Should -Be 's3cret-greeting from build'
        $r.BuildArgNames | Should -Be @('GREETING')
        ($r | ConvertTo-Json -Depth 5) | Should -Not -Match 's3cret-greeting'
        $r.StepCount | Should -Be 7   # the classic builder adds a LABEL step for -Label
        $r.Steps.Count | Should -Be 7
        $r.Steps[6].Instruction | Should -Match '^LABEL team'
        $r.Steps[2].Instruction | Should -Match '^RUN echo'
        $r.Steps[2].Line | Should -Be 3
        $r.Steps[3].Line | Should -Be 4
        $r.CacheHits | Should -Be 0
        $r.CacheMisses | Should -Be 6
        $r.Steps[2].Duration | Should -BeGreaterThan ([timespan]::Zero)
        $r.Dockerfile | Should -Be (Join-Path $script:app 'Dockerfile')
        $r.ContextPath | Should -Be $script:app
        $r.ContextBytes | Should -BeGreaterThan 1024
        $r.ContextEntryCount | Should -Be 2
        $r.DurationSeconds | Should -BeGreaterThan 0
        $r.StartedAt.Kind | Should -Be 'Utc'
        $r.GitCommit | Should -Be '0123456789abcdef0123456789abcdef01234567'
        $r.GitBranch | Should -Be 'feature/build'
        $r.Engine | Should -Match '^unix://'
        # Flattens to one CSV row with the headline numbers.
        $csv = $r | ConvertTo-Csv | ConvertFrom-Csv
        $csv.Size | Should -Be ([string]$inspect.Size)
        $csv.DurationSeconds | Should -Not -BeNullOrEmpty
        [double]::Parse($csv.DurationSeconds, [cultureinfo]::CurrentCulture) | Should -Be $r.DurationSeconds
        ($csv.LayerCount, $csv.CacheMisses, $csv.ImageId) | Should -Be @([string]$r.LayerCount, [string]$r.CacheMisses, $r.ImageId)
    }

    It 'reads the commit and branch from the context repository' {
        $dir = New-Ctx 'gitctx' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`n" }
        & git -C $dir init -q -b trunk 2>$null
        & git -C $dir -c user.email=t@example.com -c user.name=t add -A
        & git -C $dir -c user.email=t@example.com -c user.name=t commit -q -m init
        $sha = (& git -C $dir rev-parse HEAD).Trim()
        $saved = $env:GITHUB_SHA, $env:GITHUB_REF_NAME, $env:BUILD_SOURCEVERSION, $env:BUILD_SOURCEBRANCHNAME
        try {
            $env:GITHUB_SHA = $env:GITHUB_REF_NAME = $env:BUILD_SOURCEVERSION = $env:BUILD_SOURCEBRANCHNAME = $null
            $r = Invoke-DockOptBuild -Path $dir -Tag (New-Tag)
        }
        finally { $env:GITHUB_SHA, $env:GITHUB_REF_NAME, $env:BUILD_SOURCEVERSION, $env:BUILD_SOURCEBRANCHNAME = $saved }
        $r.GitCommit | Should -Be $sha
        $r.GitBranch | Should -Be 'trunk'
    }

    It 'reports cache hits on a second build of the same context' {
        $tag = New-Tag
        $first = Invoke-DockOptBuild -Path $script:app -Tag $tag
        $second = Invoke-DockOptBuild -Path $script:app -Tag $tag
        $second.ImageId | Should -Be $first.ImageId
        $second.CacheHits | Should -Be 5
        $second.CacheMisses | Should -Be 0
        @($second.Steps | Where-Object Cached).Count | Should -Be 5
        $second.Steps[0].Cached | Should -BeFalse   # FROM is never a cache hit
        $second.Size | Should -Be (& docker image inspect $tag --format '{{.Size}}')
    }

    It 'writes steps to Write-Progress, step output to the Information stream and engine messages to Verbose' {
        $dir = New-Ctx 'streams' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nRUN echo visible-step-output`n" }
        $info = $null
        $verbose = Invoke-DockOptBuild -Path $dir -NoCache -Tag (New-Tag) -InformationVariable info -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($info.MessageData) | Should -Contain 'Step 2/2 : RUN echo visible-step-output'
        @($info.MessageData) | Should -Contain 'visible-step-output'
        @($verbose.Message) -match '^---> Running in [0-9a-f]+' | Should -Not -BeNullOrEmpty
        @($verbose.Message) -match '^Successfully built' | Should -Not -BeNullOrEmpty
    }

    It 'builds a -Target stage and a Dockerfile that lives outside the context' {
        $dir = New-Ctx 'multi' @{
            'ctx/file.txt'       = "from context`n"
            'build/Dockerfile'   = "FROM dockopt/busybox:latest AS one`nRUN echo one > /one`nFROM dockopt/busybox:latest AS two`nCOPY file.txt /`n"
        }
        $tag = New-Tag
        $r = Invoke-DockOptBuild -Path (Join-Path $dir 'ctx') -Dockerfile (Join-Path $dir 'build/Dockerfile') -Target one -Tag $tag
        $r.Target | Should -Be 'one'
        $r.StepCount | Should -Be 2
        (& docker run --rm $tag cat /one) | Should -Be 'one'
        $tag2 = New-Tag
        $r2 = Invoke-DockOptBuild -Path (Join-Path $dir 'ctx') -Dockerfile (Join-Path $dir 'build/Dockerfile') -Tag $tag2
        (& docker run --rm $tag2 cat /file.txt) | Should -Be 'from context'
        # The Dockerfile travels under a random name and is not copied into the image.
        (& docker run --rm $tag2 sh -c 'ls -a / | grep -c dockerfile') | Should -Be '0'
        $r2.ContextEntryCount | Should -Be 1
    }

    It 'fails a step with BuildStepFailed naming the step, instruction, line, exit code and the last 20 output lines' {
        $dir = New-Ctx 'fail' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`n`n# prints 30 lines then fails`nRUN echo dockopt-fail-marker; for i in `$(seq 1 30); do echo line`$i; done; exit 7`n" }
        $out = Invoke-DockOptBuild -Path $dir -NoCache -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'BuildStepFailed,DockOpt.Cmdlets.InvokeDockOptBuildCommand'
        $x = $err[0].Exception
        $x.StepNumber | Should -Be 2
        $x.StepCount | Should -Be 2
        $x.Instruction | Should -Match '^RUN echo dockopt-fail-marker'
        $x.Line | Should -Be 4
        $x.ExitCode | Should -Be 7
        $x.OutputTail | Should -Be (11..30 | ForEach-Object { "line$_" })
        $x.Message | Should -Match 'Step 2/2'
        $x.Message | Should -Match 'exit code 7'
        $x.Message | Should -Match ([regex]::Escape("Dockerfile:4"))
        $x.Message | Should -Match 'line30'
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        # No container of the failed step is left behind.
        @(& docker ps -a --no-trunc --format '{{.Command}}') -match 'dockopt-fail-marker' | Should -BeNullOrEmpty
    }

    It 'builds the next piped Dockerfile after one fails (FileInfo and Path/Dockerfile objects)' {
        $dir = New-Ctx 'pipe' @{
            'Dockerfile.a-bad'  = "FROM dockopt/busybox:latest`nRUN exit 4`n"
            'Dockerfile.b-good' = "FROM dockopt/busybox:latest`nCOPY ok.txt /`n"
            'ok.txt'            = "ok`n"
        }
        $results = Get-ChildItem (Join-Path $dir 'Dockerfile.*') | Sort-Object Name |
            Invoke-DockOptBuild -Path $dir -ErrorVariable err -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $results.Dockerfile | Should -Be (Join-Path $dir 'Dockerfile.b-good')
        $script:images.Add($results.ImageId)
        $err.Count | Should -Be 1
        $err[0].Exception.ExitCode | Should -Be 4
        $r2 = [pscustomobject]@{ Path = $dir; Dockerfile = (Join-Path $dir 'Dockerfile.b-good') } | Invoke-DockOptBuild
        $r2.ImageId | Should -Be $results.ImageId
        $r2.CacheHits | Should -Be 1
    }

    It 'fails with DockerfileNotFound, BaseImageNotFound and BuildContextNotFound, each with a hint' {
        $dir = New-Ctx 'missing' @{ 'Dockerfile.nobase' = "FROM dockopt-no-such-base-image:1.0`nRUN true`n"; 'x.txt' = 'x' }
        { Invoke-DockOptBuild -Path $dir -ErrorAction Stop } | Should -Throw -ErrorId 'DockerfileNotFound,DockOpt.Cmdlets.InvokeDockOptBuildCommand'
        { Invoke-DockOptBuild -Path (Join-Path $dir 'nope') -ErrorAction Stop } | Should -Throw -ErrorId 'BuildContextNotFound,DockOpt.Cmdlets.InvokeDockOptBuildCommand'
        $null = Invoke-DockOptBuild -Path $dir -Dockerfile (Join-Path $dir 'Dockerfile.nobase') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'BaseImageNotFound,DockOpt.Cmdlets.InvokeDockOptBuildCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'dockopt-no-such-base-image:1.0'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'registry'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'locally'
    }

    It 'fails with BuildContextUnreadable for a file it cannot read (root without its DAC capabilities)' {
        $setpriv = Get-Command setpriv -ErrorAction SilentlyContinue
        if (-not $setpriv -or [Environment]::UserName -ne 'root') {
            Set-ItResult -Skipped -Because 'needs root and setpriv to drop the capabilities that let root read any file'
            return
        }
        $dir = New-Ctx 'unreadable' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nCOPY . /`n"; 'secret.key' = 'k' }
        & chmod 0000 (Join-Path $dir 'secret.key')
        $module = Get-DockOptTestModulePath
        $childScript = "Import-Module '$module'; try { (Invoke-DockOptBuild -Path '$dir' -ErrorAction Stop).ImageId } catch { `$_.FullyQualifiedErrorId; `$_.TargetObject }"
        $childFile = Join-Path $script:work 'unreadable-child.ps1'
        Set-Content -Path $childFile -Value $childScript
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        $host_ = if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { [Environment]::ProcessPath } else { 'dotnet' }
        # Root keeps its uid (and the engine socket) but loses CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH: mode 000 then stops it.
        $spArgs = @('--bounding-set=-dac_override,-dac_read_search', $host_, $pwshDll, '-NoProfile', '-NonInteractive', '-File', $childFile)
        $out = @(& setpriv @spArgs 2>&1)
        $out[0] | Should -Be 'BuildContextUnreadable,DockOpt.Cmdlets.InvokeDockOptBuildCommand' -Because "$out" 
        $out[1] | Should -Be (Join-Path $dir 'secret.key')
        # Excluding it makes the context readable again.
        [IO.File]::WriteAllText((Join-Path $dir '.dockerignore'), "*.key`n")
        & chmod 0644 (Join-Path $dir '.dockerignore')
        $out2 = @(& setpriv @spArgs 2>&1)
        "$out2" | Should -Not -Match 'BuildContextUnreadable'
        "$out2" | Should -Match '^sha256:[0-9a-f]{64}$'
        $script:images.Add("$out2")
    }

    It 'stops on Ctrl+C (StopProcessing) and leaves no running container behind' {
        $marker = 'dockopt-stop-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $dir = New-Ctx 'stop' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nRUN echo $marker && sleep 60`n" }
        $ps = [powershell]::Create()
        try {
            # One script, not a batch of statements: a stopped batch goes on to report on a pool thread after Dispose.
            $null = $ps.AddScript("Import-Module '$((Get-Module DockOpt).Path)'; Invoke-DockOptBuild -Path '$dir' -NoCache")
            $handle = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 250
                $running = @(& docker ps --no-trunc --format '{{.ID}} {{.Command}}') -match $marker
            } until ($running -or [datetime]::UtcNow -gt $deadline)
            $running | Should -Not -BeNullOrEmpty -Because 'the RUN step should have started'
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            try { $null = $ps.EndInvoke($handle) } catch { }   # let the invocation finish before the runspace is disposed
        }
        finally { $ps.Dispose() }
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        do {
            $left = @(& docker ps -a --no-trunc --format '{{.Command}}') -match $marker
            if ($left) { Start-Sleep -Milliseconds 500 }
        } while ($left -and [datetime]::UtcNow -lt $deadline)
        $left | Should -BeNullOrEmpty
    }

    It 'has a default table view' {
        $r = Invoke-DockOptBuild -Path $script:app -Tag (New-Tag)
        $text = $r | Out-String -Width 300
        $text | Should -Match 'Name\s+ImageId\s+Size\s+Layers\s+Steps\s+Cached\s+Duration\s+Context\s+Dockerfile'
        $text | Should -Match ([regex]::Escape($r.ImageId.Substring(7, 12)))
    }
}

Describe 'Invoke-DockOptBuild context parity with the docker CLI' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:evr = Join-Path $script:work 'every-rule'
        New-EveryRuleContext -Root $script:evr
    }

    It 'builds the same COPY layer entries as DOCKER_BUILDKIT=0 docker build --no-cache' {
        $cliTag = New-Tag 'cli'
        $doTag = New-Tag 'dockopt'
        $null = & docker build --no-cache -q -t $cliTag $script:evr 2>&1
        $LASTEXITCODE | Should -Be 0
        $r = Invoke-DockOptBuild -Path $script:evr -NoCache -Tag $doTag
        $r.ImageId | Should -Not -BeNullOrEmpty
        $cli = @(Get-LastLayerEntry $cliTag | Sort-Object Path)
        $ours = @(Get-LastLayerEntry $doTag | Sort-Object Path)
        $cli.Count | Should -BeGreaterThan 30
        @($ours.Path) | Should -Be @($cli.Path)
        # Directories the context does not carry (the build root, and directories excluded themselves whose
        # children an exception re-includes) are created by the engine at extraction time: their mtime is the build's.
        $implied = 'ctx/', 'ctx/logs/', 'ctx/node_modules/'
        for ($i = 0; $i -lt $cli.Count; $i++) {
            $a = $cli[$i]; $b = $ours[$i]
            foreach ($p in 'Type', 'Mode', 'Owner', 'Size', 'Link', 'Hash') { $b.$p | Should -Be $a.$p -Because "$($a.Path) $p" }
            if ($a.Path -notin $implied) { $b.MTime | Should -Be $a.MTime -Because "$($a.Path) mtime" }
        }
        # Spot checks that the rules did what the documentation says.
        $paths = @($cli.Path)
        $paths | Should -Contain 'ctx/src/deep/keep.pyc'
        $paths | Should -Not -Contain 'ctx/src/a.pyc'
        $paths | Should -Contain 'ctx/logs/keep.log'
        $paths | Should -Not -Contain 'ctx/logs/a.log'
        $paths | Should -Contain 'ctx/node_modules/keep/index.js'
        $paths | Should -Not -Contain 'ctx/node_modules/pkg/index.js'
        $paths | Should -Contain 'ctx/sub/rooted.txt'
        $paths | Should -Not -Contain 'ctx/rooted.txt'
        $paths | Should -Contain 'ctx/README-public.md'
        $paths | Should -Not -Contain 'ctx/README-secret.md'
        ($cli | Where-Object Path -EQ 'ctx/old.txt').MTime | Should -Be 981173106
        ($cli | Where-Object Path -EQ 'ctx/link-to-keep').Link | Should -Be 'keep.txt'
        ($cli | Where-Object Path -EQ 'ctx/private.txt').Mode | Should -Be '600'
    }

    It 'sends a byte-identical context tar (captured by a minimal API listener in place of the engine)' {
        $python = Get-Command python3 -ErrorAction SilentlyContinue
        if (-not $python) { Set-ItResult -Skipped -Because 'python3 runs the capture listener'; return }
        $capture = Join-Path $PSScriptRoot 'tools/capture-build-context.py'
        $results = foreach ($side in 'cli', 'dockopt') {
            $sock = Join-Path $script:work "$side.sock"
            $out = Join-Path $script:work "$side.tar"
            $job = Start-Process -FilePath $python.Source -ArgumentList $capture, $sock, $out -PassThru
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (-not (Test-Path $sock) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            if ($side -eq 'cli') { $null = & docker -H "unix://$sock" build $script:evr 2>&1 }
            else { $null = Invoke-DockOptBuild -Path $script:evr -Engine "unix://$sock" -ErrorAction SilentlyContinue }
            $null = $job.WaitForExit(10000)
            Get-FileHash $out -Algorithm SHA256
        }
        (Get-Item $results[0].Path).Length | Should -BeGreaterThan 10000
        $results[1].Hash | Should -Be $results[0].Hash
    }
}
