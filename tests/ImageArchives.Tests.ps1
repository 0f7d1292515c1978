# Archives written by the real tools (tests/data/archives/README.md: which tool, version and command wrote each), read end to
# end with -Path by Measure-DockOptImage, Get-DockOptPackage and Invoke-DockOptScan. The expected figures come from the
# tools themselves: docker image inspect (recorded when the archives were written, and live after docker load where an
# engine answers), the archive's own manifest read with GNU tar, and dpkg-query run in the image the package database
# came from.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    $script:data = Join-Path $PSScriptRoot 'data/archives'
    $script:hasDocker = Test-DockerEngine
    $script:tiny = (Get-Content (Join-Path $script:data 'tiny/docker-image-inspect.json') -Raw | ConvertFrom-Json)[0]
    $script:dpkg = @(Get-Content (Join-Path $script:data 'dpkg/dpkg-query.txt') | Where-Object { $_ })
    function Get-TarJson([string] $Tar, [string] $Member) {
        $text = & tar -xOf $Tar $Member
        if ($LASTEXITCODE -ne 0) { throw "tar could not read $Member from $Tar" }
        return ($text -join "`n") | ConvertFrom-Json -NoEnumerate
    }
}

Describe 'One image written by docker, skopeo and podman, measured from each archive' {
    It '<_> has the layers and size docker image inspect reported' -ForEach @(
        'docker-save-legacy.tar', 'skopeo-docker-archive.tar', 'skopeo-oci-archive.tar', 'skopeo-oci-layout', 'skopeo-dir',
        'skopeo-dir-registry', 'podman-docker-archive.tar', 'podman-oci-archive.tar', 'podman-oci-dir', 'podman-docker-dir',
        'podman-api-export.tar') {
        $m = Measure-DockOptImage -Path (Join-Path $script:data "tiny/$_") -NoLayerCache
        $m.LayerCount | Should -Be @($script:tiny.RootFS.Layers).Count
        @($m.Layers | Where-Object { -not $_.IsEmpty } | ForEach-Object DiffId) | Should -Be @($script:tiny.RootFS.Layers)
        $m.TotalSize | Should -Be $script:tiny.Size   # docker's Size: the bytes of the layers' files
        $m.FileCount | Should -Be 5                   # etc/passwd, etc/os-release, app/run.sh, app/data.txt, app/hello.txt
    }
}

Describe 'dive''s kaniko archive (config first named by its digest, layers as hex.tar.gz)' {
    BeforeAll {
        $script:kaniko = Join-Path $script:data 'dive/test-kaniko-image.tar'
        $script:kanikoManifest = (Get-TarJson $script:kaniko 'manifest.json')[0]
    }

    It 'measures with the layers and image ID its manifest names' {
        $m = Measure-DockOptImage -Path $script:kaniko -NoLayerCache
        $m.ImageId | Should -Be $script:kanikoManifest.Config
        $m.LayerCount | Should -Be @($script:kanikoManifest.Layers).Count
        $config = Get-TarJson $script:kaniko $script:kanikoManifest.Config
        @($m.Layers | Where-Object { -not $_.IsEmpty } | ForEach-Object DiffId) | Should -Be @($config.rootfs.diff_ids)
    }

    It 'gives the figures, findings and packages the engine gives after docker load' {
        if (-not $script:hasDocker) { Set-ItResult -Skipped -Because 'needs a Docker engine to load the archive'; return }
        $image = $script:kanikoManifest.Config
        & docker image inspect $image *> $null
        $present = $LASTEXITCODE -eq 0
        $loaded = & docker load -i $script:kaniko 2>&1
        $LASTEXITCODE | Should -Be 0 -Because "$loaded"
        try {
            $a = Measure-DockOptImage -Path $script:kaniko -NoLayerCache
            $e = Measure-DockOptImage $image -NoLayerCache
            foreach ($p in 'LayerCount', 'TotalSize', 'FinalSize', 'FileCount', 'ReclaimableBytes', 'ImageId') { $a.$p | Should -Be $e.$p -Because $p }
            $a.TotalSize | Should -Be ([long](& docker image inspect $image --format '{{.Size}}'))
            $sa = Invoke-DockOptScan -Path $script:kaniko -NoTrivy -WarningAction SilentlyContinue
            $se = Invoke-DockOptScan $image -NoTrivy -WarningAction SilentlyContinue
            @($sa.Findings | ForEach-Object { "$($_.RuleId) $($_.Location) $($_.Layer)" }) |
                Should -Be @($se.Findings | ForEach-Object { "$($_.RuleId) $($_.Location) $($_.Layer)" })
            $sa.PackageCount | Should -Be $se.PackageCount
        } finally {
            # The archive tags dive-test:kaniko-latest; leave the engine as it was.
            if (-not $present) { & docker image rm -f $image *> $null }
        }
    }
}

Describe 'A Debian package database in skopeo and podman archives' {
    It '<_> lists the packages dpkg-query listed in the image it came from' -ForEach @('skopeo-oci-archive.tar', 'podman-docker-archive.tar') {
        $p = @(Get-DockOptPackage -Path (Join-Path $script:data "dpkg/$_"))
        $p.Count | Should -Be $script:dpkg.Count
        @($p | ForEach-Object { "$($_.Name) $($_.Version)" } | Sort-Object) | Should -Be @($script:dpkg | Sort-Object)
        (Invoke-DockOptScan -Path (Join-Path $script:data "dpkg/$_") -NoTrivy -WarningAction SilentlyContinue).PackageCount |
            Should -Be $script:dpkg.Count
    }
}

Describe 'A two-platform index written by podman manifest push and skopeo copy --all' {
    It '<_> is read for the host platform' -ForEach @('multi-oci-layout', 'multi-oci-archive.tar', 'multi-dir') {
        $arch = @{ X64 = 'amd64'; Arm64 = 'arm64' }[[string][Runtime.InteropServices.RuntimeInformation]::OSArchitecture]
        if (-not $arch) { Set-ItResult -Skipped -Because 'the index offers linux/amd64 and linux/arm64 only'; return }
        # skopeo inspect --config --override-arch <arch>: the config of that platform's image in the registry.
        $config = Get-Content (Join-Path $script:data "multi/skopeo-inspect-config-$arch.json") -Raw | ConvertFrom-Json
        $m = Measure-DockOptImage -Path (Join-Path $script:data "multi/$_") -NoLayerCache
        @($m.Layers | Where-Object { -not $_.IsEmpty } | ForEach-Object DiffId) | Should -Be @($config.rootfs.diff_ids)
    }
}

Describe 'oci:dir:ref picks the image an OCI layout holds under that ref' {
    It 'Measure, Get-DockOptPackage and Invoke-DockOptScan read oci:<dir>:<ref>; a ref the layout lacks is ImageNotFound' {
        $dir = Join-Path $script:data 'tiny/skopeo-oci-layout'   # written by skopeo copy … oci:<dir>:1 (index.json names ref 1)
        (Get-Content (Join-Path $dir 'index.json') -Raw | ConvertFrom-Json).manifests[0].annotations.'org.opencontainers.image.ref.name' | Should -Be '1'
        $m = Measure-DockOptImage "oci:${dir}:1" -NoLayerCache -WarningVariable warn
        $m.Source | Should -Be "oci:${dir}:1"
        @($m.Layers | Where-Object { -not $_.IsEmpty } | ForEach-Object DiffId) | Should -Be @($script:tiny.RootFS.Layers)
        $warn | Should -BeNullOrEmpty -Because 'the ref is used, not warned about'
        $s = Invoke-DockOptScan "oci:${dir}:1" -WarningAction SilentlyContinue
        $s.Source | Should -Be "oci:${dir}:1"
        foreach ($cmd in 'Measure-DockOptImage', 'Get-DockOptPackage', 'Invoke-DockOptScan') {
            $err = $null
            & $cmd "oci:${dir}:nope" -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
            $err[0].FullyQualifiedErrorId | Should -Match '^ImageNotFound,' -Because "$cmd names the missing ref"
            $err[0].Exception.Message | Should -Match "no image named 'nope'"
        }
    }
}
