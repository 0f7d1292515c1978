# Publish-DockOptImage -MultiPlatform against a real CNCF distribution registry (Debian's docker-registry) started here,
# its access log read to see what was written. The arm64 image is a FROM scratch build (nothing runs, no emulation).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:ErrId = { param($id) "$id,DockOpt.Cmdlets.PublishDockOptImageCommand" }
    $script:Accept = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'

    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
    $dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-c-multi-reg-$port"
    New-Item -ItemType Directory -Force -Path "$dir/data" | Out-Null
    Set-Content "$dir/config.yml" "version: 0.1`nlog:`n  level: info`n  accesslog:`n    disabled: false`nstorage:`n  filesystem:`n    rootdirectory: $dir/data`nhttp:`n  addr: 127.0.0.1:$port"
    $script:reg = [pscustomobject]@{ Host = "127.0.0.1:$port"; Url = "http://127.0.0.1:$port"; Dir = $dir; Log = "$dir/registry.log"; Process = $null }
    $reg.Process = Start-Process -FilePath docker-registry -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError $reg.Log -RedirectStandardOutput "$dir/stdout.log" -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(15)
    while ([DateTime]::UtcNow -lt $deadline -and (& curl -s -o /dev/null -w '%{http_code}' "$($reg.Url)/v2/") -ne '200') { Start-Sleep -Milliseconds 100 }

    function Get-Digest([string] $Repo, [string] $Ref) {
        $h = & curl -sS -I -H "Accept: $script:Accept" "$($reg.Url)/v2/$Repo/manifests/$Ref"
        $d = $h | Where-Object { $_ -match '^Docker-Content-Digest:' } | Select-Object -First 1
        if ($d) { return ($d -replace '^Docker-Content-Digest:\s*', '').Trim() } else { return $null }
    }
    function Get-Manifest([string] $Repo, [string] $Ref) { (& curl -sS -H "Accept: $script:Accept" "$($reg.Url)/v2/$Repo/manifests/$Ref") | ConvertFrom-Json }
    function Get-Writes([int] $From = 0) { @(Get-Content $reg.Log | Select-Object -Skip $From | Where-Object { $_ -match 'http\.request\.method=(POST|PATCH|PUT)' }) }

    function New-PlatformImage([string] $Tag, [string] $Platform) {
        $d = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $d | Out-Null
        try {
            Set-Content "$d/payload" "$Platform $([guid]::NewGuid())"
            Set-Content "$d/Dockerfile" "FROM scratch`nCOPY payload /payload"
            $env:DOCKER_BUILDKIT = '0'
            $out = & docker build -q --platform $Platform -t $Tag $d 2>&1
            if ($LASTEXITCODE -ne 0) { throw "docker build failed: $out" }
        }
        finally { Remove-Item -Recurse -Force $d }
    }

    $script:name = New-TestImageName 'dockopt-c-multi'
    $script:amd = "$name-amd64:1"; $script:arm = "$name-arm64:1"; $script:amd2 = "$name-amd64:2"
    New-PlatformImage $amd 'linux/amd64'
    New-PlatformImage $arm 'linux/arm64'
    New-PlatformImage $amd2 'linux/amd64'
    $script:ids = @{ 'linux/amd64' = (& docker image inspect $amd --format '{{.Id}}'); 'linux/arm64' = (& docker image inspect $arm --format '{{.Id}}') }
    $script:repo = 'c/multi'
}

AfterAll {
    foreach ($i in $script:amd, $script:arm, $script:amd2) { & docker image rm -f $i *> $null }
    if ($script:reg.Process -and -not $script:reg.Process.HasExited) { Stop-Process -Id $script:reg.Process.Id -Force -ErrorAction SilentlyContinue; $script:reg.Process.WaitForExit(5000) | Out-Null }
    Remove-Item -Recurse -Force $script:reg.Dir -ErrorAction SilentlyContinue
}

Describe 'Publish-DockOptImage -MultiPlatform' -Tag 'RequiresDocker' {
    It 'pushes each platform image and an OCI index listing both under every tag' {
        $r = @(Publish-DockOptImage $amd, $arm -Destination "$($reg.Host)/$repo" -Tag '1.0', 'latest' -MultiPlatform)
        $platformRows = @($r | Where-Object Tag -like '1.0-*')
        ($platformRows.Tag | Sort-Object) | Should -Be @('1.0-linux-amd64', '1.0-linux-arm64')
        $indexRows = @($r | Where-Object Tag -in '1.0', 'latest')
        $indexRows.Count | Should -Be 2
        $indexRows.Status | Should -Be @('Pushed', 'Pushed')

        $index = Get-Manifest $repo '1.0'
        $index.mediaType | Should -Be 'application/vnd.oci.image.index.v1+json'
        $index.manifests.Count | Should -Be 2
        foreach ($p in 'amd64', 'arm64') {
            $entry = $index.manifests | Where-Object { $_.platform.architecture -eq $p }
            $entry.platform.os | Should -Be 'linux'
            $entry.digest | Should -Be (Get-Digest $repo "1.0-linux-$p")
            # The child is the image that was given for that platform: its config digest is the local image ID.
            (Get-Manifest $repo $entry.digest).config.digest | Should -Be $ids["linux/$p"]
        }
        Get-Digest $repo '1.0' | Should -Be $indexRows[0].Digest
        Get-Digest $repo 'latest' | Should -Be $indexRows[0].Digest
        $indexRows[0].MediaType | Should -Be 'application/vnd.oci.image.index.v1+json'
        $indexRows[0].Platform | Should -Be 'linux/amd64,linux/arm64'
    }

    It 'the docker CLI pulls the arm64 image out of the index by platform' {
        $ref = "$($reg.Host)/$repo`:1.0"
        & docker pull -q --platform linux/arm64 $ref 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        try {
            & docker image inspect $ref --format '{{.Id}} {{.Architecture}}' | Should -Be "$($ids['linux/arm64']) arm64"
        }
        finally { & docker image rm -f $ref *> $null }
    }

    It 'publishing the same images again sends nothing and reports Unchanged for every tag' {
        $from = @(Get-Content $reg.Log).Count
        $r = @(Publish-DockOptImage $arm, $amd -Destination "$($reg.Host)/$repo" -Tag '1.0', 'latest' -MultiPlatform -Verbose 4>&1)
        $rows = @($r | Where-Object { $_ -is [DockOpt.PublishResult] })
        $rows.Count | Should -Be 4
        $rows.Status | Sort-Object -Unique | Should -Be 'Unchanged'
        Get-Writes $from | Should -BeNullOrEmpty
        $said = @($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        @($said | Where-Object { $_ -like 'Every platform image and every tag already were in*nothing was sent*' }).Count | Should -Be 1
    }

    It 'two images for one platform are refused with DuplicatePlatform before anything is pushed' {
        $from = @(Get-Content $reg.Log).Count
        { Publish-DockOptImage $amd, $amd2 -Destination "$($reg.Host)/c/dup" -Tag 'x' -MultiPlatform -ErrorAction Stop } |
            Should -Throw -ErrorId (& $ErrId 'DuplicatePlatform')
        Get-Writes $from | Should -BeNullOrEmpty
    }

    It '-WhatIf writes nothing' {
        $from = @(Get-Content $reg.Log).Count
        Publish-DockOptImage $amd, $arm -Destination "$($reg.Host)/c/whatif" -Tag 'w' -MultiPlatform -WhatIf | Should -BeNullOrEmpty
        Get-Writes $from | Should -BeNullOrEmpty
        Get-Digest 'c/whatif' 'w' | Should -BeNullOrEmpty
    }
}
