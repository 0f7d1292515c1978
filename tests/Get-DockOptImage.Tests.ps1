BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
}

Describe 'Get-DockOptImage' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'dockopt-getimage'
        $script:tagA = New-TestImage -Tag "$($script:repo):a" -Dockerfile @"
FROM dockopt/busybox:latest
RUN echo hello > /hello.txt && dd if=/dev/zero of=/blob bs=1024 count=300 2>/dev/null
ENV APP_MODE=prod SECRET_TOKEN=s3cr3t-value
LABEL org.opencontainers.image.title=getimage-test
EXPOSE 8080/tcp 53/udp
USER 1000:1000
WORKDIR /srv
HEALTHCHECK --interval=7s --timeout=3s --start-period=2s --retries=4 CMD ["true"]
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["sleep 1"]
"@
        & docker tag $script:tagA "$($script:repo):b"
        $script:id = (& docker image inspect $script:tagA --format '{{.Id}}')
    }
    AfterAll { Remove-TestImage "$($script:repo):a", "$($script:repo):b" }

    It 'reports Size and LayerCount equal to docker image inspect for every local image' {
        $all = Get-DockOptImage
        $ids = @(& docker image ls -q --no-trunc | Sort-Object -Unique)
        @($all.Id | Sort-Object -Unique) | Should -Be $ids
        foreach ($img in $all) {
            $inspect = & docker image inspect $img.Id | ConvertFrom-Json
            $img.Size | Should -Be $inspect[0].Size -Because $img.Id
            $img.LayerCount | Should -Be @($inspect[0].RootFS.Layers).Count -Because $img.Id
        }
    }

    It 'describes the image config' {
        $i = Get-DockOptImage -Name $script:tagA
        $i | Should -BeOfType ([DockOpt.ImageInfo])
        $i.Id | Should -Be $script:id
        $i.Repository | Should -Be $script:repo
        $i.Tag | Should -Be 'a'
        $i.RepoTags | Should -Contain "$($script:repo):b"
        $i.User | Should -Be '1000:1000'
        $i.WorkingDir | Should -Be '/srv'
        $i.ExposedPorts | Should -Be @('53/udp', '8080/tcp')
        $i.EnvNames | Should -Contain 'SECRET_TOKEN'
        $i.Env | Should -BeNullOrEmpty
        $i.Labels['org.opencontainers.image.title'] | Should -Be 'getimage-test'
        $i.Healthcheck.Test | Should -Be @('CMD', 'true')
        $i.Healthcheck.Interval | Should -Be ([timespan]::FromSeconds(7))
        $i.Healthcheck.Timeout | Should -Be ([timespan]::FromSeconds(3))
        $i.Healthcheck.StartPeriod | Should -Be ([timespan]::FromSeconds(2))
        $i.Healthcheck.Retries | Should -Be 4
        $i.StopSignal | Should -Be 'SIGINT'
        $i.Entrypoint | Should -Be @('/bin/sh', '-c')
        $i.Cmd | Should -Be @('sleep 1')
        $i.Created.Kind | Should -Be 'Utc'
        $hist = & docker history --no-trunc --format '{{.CreatedBy}}' $script:tagA
        $i.History.Count | Should -Be @($hist).Count
        @($i.History | Where-Object { -not $_.EmptyLayer }).Count | Should -Be $i.LayerCount
        ($i.History | Where-Object CreatedBy -match 'dd if=/dev/zero').Size | Should -BeGreaterThan 300000
    }

    It 'shows env values only with -IncludeEnvValues' {
        (Get-DockOptImage -Name $script:tagA -IncludeEnvValues).Env['SECRET_TOKEN'] | Should -Be 's3cr3t-value'
        (Get-DockOptImage -Name $script:tagA | Out-String) | Should -Not -Match 's3cr3t-value'
    }

    It 'matches wildcards, short and long IDs and repository names' {
        @(Get-DockOptImage -Name "$($script:repo)*").Id | Should -Be @($script:id)
        @(Get-DockOptImage -Name "$($script:repo):*").Count | Should -Be 1
        (Get-DockOptImage -Name $script:id.Substring(7, 12)).Id | Should -Be $script:id
        (Get-DockOptImage -Name $script:id).Id | Should -Be $script:id
        (Get-DockOptImage -Name $script:repo).Id | Should -Be $script:id
        @(Get-DockOptImage -Name '*:a' | Where-Object Id -EQ $script:id).Count | Should -Be 1
    }

    It 'takes names from the pipeline by value and by property name' {
        ("$($script:repo):a" | Get-DockOptImage).Id | Should -Be $script:id
        ([pscustomobject]@{ ImageId = $script:id } | Get-DockOptImage).Id | Should -Be $script:id
        ([pscustomobject]@{ Tags = @("$($script:repo):b") } | Get-DockOptImage).Id | Should -Be $script:id
        (Get-DockOptImage -Name $script:tagA | Get-DockOptImage).Id | Should -Be $script:id
    }

    It 'writes a non-terminating ImageNotFound for a name that matches nothing and still returns the others' {
        $r = Get-DockOptImage -Name 'dockopt-no-such-image:nope', $script:tagA -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Id | Should -Be $script:id
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ImageNotFound,DockOpt.Cmdlets.GetDockOptImageCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'dockopt-no-such-image:nope'
    }

    It 'has a docker images-like default table view' {
        $text = Get-DockOptImage -Name $script:tagA | Out-String -Width 300
        $text | Should -Match 'Repository\s+Tag\s+ImageId\s+Size\s+Created'
        $text | Should -Match ([regex]::Escape($script:id.Substring(7, 12)))
    }
}

Describe 'Engine connection' -Tag 'RequiresDocker' {
    It 'fails within 5 seconds with EngineUnreachable naming the endpoint' {
        $sock = Join-Path ([IO.Path]::GetTempPath()) 'dockopt-no-engine.sock'
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Get-DockOptImage -Engine "unix://$sock" -ErrorAction Stop } | Should -Throw -ErrorId 'EngineUnreachable,DockOpt.Cmdlets.GetDockOptImageCommand'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
        try { Get-DockOptImage -Engine "unix://$sock" -ErrorAction Stop } catch { $e = $_ }
        $e.CategoryInfo.Category | Should -Be 'ConnectionError'
        $e.Exception.Message | Should -Match ([regex]::Escape($sock))
        $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'does not hang on a TCP endpoint that never answers' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()   # accepts connections into the backlog but never answers HTTP
        try {
            $port = $listener.LocalEndpoint.Port
            $sw = [Diagnostics.Stopwatch]::StartNew()
            { Get-DockOptImage -Engine "tcp://127.0.0.1:$port" -ErrorAction Stop } | Should -Throw -ErrorId 'EngineUnreachable,DockOpt.Cmdlets.GetDockOptImageCommand'
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 7
        }
        finally { $listener.Stop() }
    }

    It 'stops an in-flight engine call at once when the pipeline is stopped (Ctrl+C)' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()   # the call will wait for an answer that never comes
        $ps = [powershell]::Create()
        try {
            # One script, not a batch of statements: a stopped batch would go on to its next statement on a pool thread.
            $null = $ps.AddScript("Import-Module '$(Get-DockOptTestModulePath)'; Get-DockOptImage -Engine 'tcp://127.0.0.1:$($listener.LocalEndpoint.Port)'")
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1500
            $ps.InvocationStateInfo.State | Should -Be 'Running'
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 1.5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            try { $null = $ps.EndInvoke($async) } catch { }   # let the invocation finish before the runspace is disposed
        }
        finally { $ps.Dispose(); $listener.Stop() }
    }

    It 'honours DOCKER_HOST and a docker context from DOCKER_CONFIG' {
        $saved = @{ DOCKER_HOST = $env:DOCKER_HOST; DOCKER_CONFIG = $env:DOCKER_CONFIG; DOCKER_CONTEXT = $env:DOCKER_CONTEXT }
        try {
            $env:DOCKER_HOST = 'unix:///nonexistent/dockopt.sock'
            { Get-DockOptImage -ErrorAction Stop } | Should -Throw '*nonexistent/dockopt.sock*'
            $env:DOCKER_HOST = $null
            $cfg = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
            $name = 'dockopt-ctx'
            $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($name))).ToLowerInvariant()
            New-Item -ItemType Directory -Force -Path "$cfg/contexts/meta/$hash" | Out-Null
            @{ Name = $name; Metadata = @{}; Endpoints = @{ docker = @{ Host = 'unix:///var/run/docker.sock'; SkipTLSVerify = $false } } } |
                ConvertTo-Json -Depth 5 | Set-Content "$cfg/contexts/meta/$hash/meta.json"
            @{ currentContext = $name } | ConvertTo-Json | Set-Content "$cfg/config.json"
            $env:DOCKER_CONFIG = $cfg
            @(Get-DockOptImage -Name 'dockopt/busybox:latest').Count | Should -Be 1
            (Get-DockOptImage -Name 'dockopt/busybox:latest' -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Match "context 'dockopt-ctx'"
            $env:DOCKER_CONTEXT = 'no-such-context'
            { Get-DockOptImage -ErrorAction Stop } | Should -Throw -ErrorId 'DockerContextNotFound,DockOpt.Cmdlets.GetDockOptImageCommand'
        }
        finally {
            foreach ($k in $saved.Keys) { Set-Item "env:$k" -Value $saved[$k] }
        }
    }
}
