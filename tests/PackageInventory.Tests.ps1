BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    $script:data = Join-Path $PSScriptRoot 'DockOpt.Engine.Tests/Security/Packages/Data'

    # Imports a folder tree into the engine as a one-layer image (docker import) and returns the tag.
    function Import-TestTree([string] $Tree, [string] $Tag) {
        $tar = "$Tree.tar"
        & tar -C $Tree -cf $tar . 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "tar failed for $Tree" }
        $out = & docker import $tar $Tag 2>&1
        if ($LASTEXITCODE -ne 0) { throw "docker import failed: $out" }
        Remove-Item $tar
        return $Tag
    }
    function New-Tree([hashtable] $Files) {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('h7-tree-' + [guid]::NewGuid().ToString('n'))
        foreach ($k in $Files.Keys) {
            $p = Join-Path $dir $k
            New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
            $v = $Files[$k]
            if ($v -is [IO.FileInfo]) { Copy-Item $v.FullName $p } elseif ($v -is [byte[]]) { [IO.File]::WriteAllBytes($p, $v) } else { Set-Content -Path $p -Value $v -NoNewline }
        }
        return $dir
    }
    # "name<TAB>epoch<TAB>version<TAB>release<TAB>arch…" lines → "name [epoch:]version-release arch"
    function Read-Expected([string] $File) {
        Get-Content $File | Where-Object { $_ } | ForEach-Object {
            $f = $_ -split "`t"
            $evr = $(if ($f[1] -ne '(none)') { "$($f[1]):" }) + "$($f[2])-$($f[3])"
            "$($f[0]) $evr $($f[4])"
        } | Sort-Object -CaseSensitive
    }
}

Describe 'rpm images: Get-DockOptPackage and Invoke-DockOptScan list the OS packages' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'h7-rpm'
        $script:trees = @()
        $script:images = @{}
        $cases = @(
            @{ Key = 'rhel9'; OsRelease = "NAME=`"Red Hat Enterprise Linux`"`nID=`"rhel`"`nVERSION_ID=`"9.4`"`n"; Db = 'var/lib/rpm/rpmdb.sqlite'; File = 'h7-rhel9.rpmdb.sqlite'; Expected = 'h7-rhel9.rpmdb.sqlite.rpm-qa.tsv' }
            @{ Key = 'al2'; OsRelease = "NAME=`"Amazon Linux`"`nID=`"amzn`"`nVERSION_ID=`"2`"`n"; Db = 'var/lib/rpm/Packages'; File = 'libuuid-el8.Packages'; Expected = 'libuuid-el8.Packages.rpm-qa.tsv' }
            @{ Key = 'sles'; OsRelease = "NAME=`"SLES`"`nID=`"sles`"`nVERSION_ID=`"15.3`"`n"; Db = 'usr/lib/sysimage/rpm/Packages.db'; File = 'sle15-bci.Packages.db'; Expected = 'sle15-bci.Packages.db.expected.tsv' }
        )
        foreach ($c in $cases) {
            $tree = New-Tree @{ 'etc/os-release' = $c.OsRelease; $c.Db = (Get-Item (Join-Path $script:data "rpm/$($c.File)")) }
            $script:trees += $tree
            $script:images[$c.Key] = @{ Image = (Import-TestTree $tree "$($script:repo):$($c.Key)"); Expected = (Read-Expected (Join-Path $script:data "rpm/$($c.Expected)")); Db = $c.Db }
        }
    }
    AfterAll {
        Remove-TestImage @($script:images.Values | ForEach-Object { $_.Image })
        foreach ($t in $script:trees) { Remove-Item -Recurse -Force $t -ErrorAction SilentlyContinue }
    }

    It 'lists every package of the <_> image as rpm -qa does' -ForEach 'rhel9', 'al2', 'sles' {
        $case = $script:images[$_]
        $pkgs = @(Get-DockOptPackage $case.Image -Type rpm -WarningVariable w)
        $w | Should -BeNullOrEmpty
        $got = $pkgs | ForEach-Object { "$($_.Name) $($_.Version) $($_.Architecture)" } | Sort-Object -CaseSensitive
        $got | Should -Be $case.Expected
        $pkgs | ForEach-Object { $_.Path | Should -Be $case.Db }
    }

    It 'builds rpm purls with the distribution from os-release, the epoch as a qualifier and licence and vendor' {
        $p = Get-DockOptPackage $script:images['rhel9'].Image | Where-Object Name -eq 'h7-alpha'
        $p.Purl | Should -Be 'pkg:rpm/rhel/h7-alpha@1.4.2-3.el9_1?arch=x86_64&distro=rhel-9.4&epoch=2'
        $p.Ecosystem | Should -Be 'Red Hat:9'
        $p.License | Should -Be 'MIT AND (Apache-2.0 OR BSD-3-Clause)'
        $p.Vendor | Should -Be 'DockOpt Test Vendor'
        $u = Get-DockOptPackage $script:images['al2'].Image
        $u.Purl | Should -Be 'pkg:rpm/amzn/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=amzn-2'
        $u.SourceName | Should -Be 'util-linux'
        $u.SourceVersion | Should -Be '2.32.1-42.el8_8'
        $s = Get-DockOptPackage $script:images['sles'].Image | Where-Object Name -eq 'libstdc++6'
        $s.Purl | Should -Be 'pkg:rpm/sles/libstdc%2B%2B6@11.2.1%2Bgit610-1.3.9?arch=x86_64&distro=sles-15.3'
    }

    It 'counts the rpm packages in Invoke-DockOptScan' {
        $r = Invoke-DockOptScan $script:images['rhel9'].Image -NoTrivy -Scanner Vulnerability -WarningAction SilentlyContinue
        $r.PackageCount | Should -Be 43
        # No vulnerability data here: the scan says so (Incomplete), it never reads as a pass.
        $r.Outcome | Should -Be 'Incomplete'
        $r.Errors -join ' ' | Should -Match 'no vulnerability data'
    }

    It 'writes a deterministic SPDX 2.3 SBOM with rpm licences and purls (-SbomFormat Spdx)' {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('h7-sbom-' + [guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory $dir | Out-Null
        try {
            $img = $script:images['rhel9'].Image
            Get-DockOptPackage $img -SbomPath (Join-Path $dir 'a.json') -SbomFormat Spdx | Out-Null
            Get-DockOptPackage $img -SbomPath (Join-Path $dir 'b.spdx.json') | Out-Null
            Get-DockOptPackage $img -SbomPath (Join-Path $dir 'c.cdx.json') | Out-Null
            $a = Get-Content -Raw (Join-Path $dir 'a.json')
            $a | Should -BeExactly (Get-Content -Raw (Join-Path $dir 'b.spdx.json'))
            $doc = $a | ConvertFrom-Json
            $doc.spdxVersion | Should -Be 'SPDX-2.3'
            $p = $doc.packages | Where-Object name -eq 'h7-alpha'
            $p.licenseDeclared | Should -Be 'MIT AND (Apache-2.0 OR BSD-3-Clause)'
            $p.externalRefs[0].referenceLocator | Should -Be 'pkg:rpm/rhel/h7-alpha@1.4.2-3.el9_1?arch=x86_64&distro=rhel-9.4&epoch=2'
            ($doc.packages | Where-Object name -eq 'h7-noepoch').licenseDeclared | Should -Be 'LicenseRef-LGPLv2-with-exceptions'
            @($doc.packages).Count | Should -Be (43 + 2)
            $cdx = Get-Content -Raw (Join-Path $dir 'c.cdx.json') | ConvertFrom-Json
            ($cdx.components | Where-Object name -eq 'h7-alpha').licenses[0].expression | Should -Be 'MIT AND (Apache-2.0 OR BSD-3-Clause)'
        }
        finally { Remove-Item -Recurse -Force $dir }
    }

    It 'warns, and does not pass silently, when the rpm database is damaged' {
        $bytes = [IO.File]::ReadAllBytes((Join-Path $script:data 'rpm/h7-rhel9.rpmdb.sqlite'))
        $tree = New-Tree @{ 'etc/os-release' = "ID=rhel`nVERSION_ID=9`n"; 'var/lib/rpm/rpmdb.sqlite' = [byte[]]$bytes[0..40000] }
        $script:trees += $tree
        $img = Import-TestTree $tree "$($script:repo):broken"
        try {
            $pkgs = @(Get-DockOptPackage $img -WarningVariable w -WarningAction SilentlyContinue)
            $pkgs.Count | Should -Be 0
            "$w" | Should -Match 'var/lib/rpm/rpmdb.sqlite: the package database could not be read'
            $r = Invoke-DockOptScan $img -NoTrivy -Scanner Vulnerability -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            $r.Outcome | Should -Be 'Incomplete'
            $r.Errors -join ' ' | Should -Match 'rpmdb.sqlite'
        }
        finally { Remove-TestImage $img }
    }
}

Describe 'language packages in an image: Java, Ruby, PHP, Node lock files, Rust' -Tag 'RequiresDocker' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression
        function New-Zip([hashtable] $Entries) {
            $ms = [IO.MemoryStream]::new()
            $zip = [IO.Compression.ZipArchive]::new($ms, [IO.Compression.ZipArchiveMode]::Create, $true)
            foreach ($k in ($Entries.Keys | Sort-Object)) {
                $s = $zip.CreateEntry($k).Open()
                $v = $Entries[$k]; if ($v -is [string]) { $v = [Text.Encoding]::UTF8.GetBytes($v) }
                $s.Write($v, 0, $v.Length); $s.Dispose()
            }
            $zip.Dispose()
            return , $ms.ToArray()
        }
        function PomProps($g, $a, $v) { "groupId=$g`nartifactId=$a`nversion=$v`n" }
        $lib = New-Zip @{ 'META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties' = (PomProps 'com.fasterxml.jackson.core' 'jackson-databind' '2.15.2') }
        $yaml = New-Zip @{ 'META-INF/MANIFEST.MF' = "Manifest-Version: 1.0`r`nImplementation-Title: snakeyaml`r`nImplementation-Version: 1.33`r`nImplementation-Vendor-Id: org.yaml`r`n`r`n" }
        $app = New-Zip @{
            'META-INF/maven/com.example/demo/pom.properties' = (PomProps 'com.example' 'demo' '0.0.1')
            'BOOT-INF/lib/jackson-databind-2.15.2.jar' = $lib
            'BOOT-INF/lib/snakeyaml-1.33.jar' = $yaml
            'BOOT-INF/lib/commons-text-1.9.jar' = (New-Zip @{ 'x.class' = 'x' })
        }
        $files = @{
            'app/demo.jar' = $app
            'usr/local/bundle/specifications/rake-13.0.6.gemspec' = "Gem::Specification.new do |s|`n  s.name = `"rake`".freeze`n  s.version = `"13.0.6`"`n  s.licenses = [`"MIT`".freeze]`nend`n"
            'var/www/vendor/composer/installed.json' = '{"packages":[{"name":"monolog/monolog","version":"2.9.1","license":["MIT"]}]}'
            'srv/web/package-lock.json' = '{"lockfileVersion":3,"packages":{"":{"name":"web"},"node_modules/express":{"version":"4.18.2","license":"MIT"}}}'
            'srv/web2/yarn.lock' = "lodash@^4.17.21:`n  version `"4.17.21`"`n"
            'srv/web3/pnpm-lock.yaml' = "lockfileVersion: '6.0'`n`npackages:`n`n  /left-pad@1.3.0:`n    resolution: {integrity: sha512-x}`n"
        }
        $script:hasObjcopy = [bool](Get-Command objcopy -ErrorAction SilentlyContinue)
        $tree = New-Tree $files
        if ($script:hasObjcopy) {
            $json = '{"packages":[{"name":"hello","version":"0.1.0","source":"local","root":true},{"name":"serde","version":"1.0.188","source":"crates.io"}]}'
            $ms = [IO.MemoryStream]::new(); $z = [IO.Compression.ZLibStream]::new($ms, [IO.Compression.CompressionLevel]::Optimal, $true)
            $b = [Text.Encoding]::UTF8.GetBytes($json); $z.Write($b, 0, $b.Length); $z.Dispose()
            [IO.File]::WriteAllBytes("$tree.dep", $ms.ToArray())
            New-Item -ItemType Directory -Force (Join-Path $tree 'usr/local/bin') | Out-Null
            # A big enough ELF with the section cargo-auditable writes; executable, as binaries are.
            Copy-Item (Get-Command dotnet).Source (Join-Path $tree 'usr/local/bin/hello')
            & objcopy --add-section ".dep-v0=$tree.dep" --set-section-flags .dep-v0=noload,readonly (Join-Path $tree 'usr/local/bin/hello')
            & chmod 755 (Join-Path $tree 'usr/local/bin/hello')
            Remove-Item "$tree.dep"
        }
        $script:langTree = $tree
        $script:langImg = Import-TestTree $tree "$(New-TestImageName 'h7-lang'):test"
        $script:pk = @(Get-DockOptPackage $script:langImg)
    }
    AfterAll {
        Remove-TestImage $script:langImg
        Remove-Item -Recurse -Force $script:langTree -ErrorAction SilentlyContinue
    }

    It 'finds the jars of a Spring Boot fat jar by pom.properties, MANIFEST and file name, as Maven purls' {
        $m = $script:pk | Where-Object Type -eq maven | Sort-Object Purl
        $m.Purl | Should -Be @('pkg:maven/com.example/demo@0.0.1', 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2', 'pkg:maven/commons-text@1.9', 'pkg:maven/org.yaml/snakeyaml@1.33')
        ($m | Where-Object Purl -like '*jackson*').Path | Should -Be 'app/demo.jar!/BOOT-INF/lib/jackson-databind-2.15.2.jar'
        ($m | Where-Object Purl -like '*jackson*').Ecosystem | Should -Be 'Maven'
        ($m | Where-Object Purl -like '*jackson*').Name | Should -Be 'com.fasterxml.jackson.core:jackson-databind'
    }

    It 'finds gems, composer packages and lock-file npm packages' {
        ($script:pk | Where-Object Type -eq gem).Purl | Should -Be 'pkg:gem/rake@13.0.6'
        ($script:pk | Where-Object Type -eq gem).License | Should -Be 'MIT'
        ($script:pk | Where-Object Type -eq composer).Purl | Should -Be 'pkg:composer/monolog/monolog@2.9.1'
        ($script:pk | Where-Object Type -eq composer).Ecosystem | Should -Be 'Packagist'
        ($script:pk | Where-Object Type -eq npm | Sort-Object Purl).Purl | Should -Be @('pkg:npm/express@4.18.2', 'pkg:npm/left-pad@1.3.0', 'pkg:npm/lodash@4.17.21')
    }

    It 'finds the crates of a cargo-auditable binary' -Skip:(-not (Get-Command objcopy -ErrorAction SilentlyContinue)) {
        $c = $script:pk | Where-Object Type -eq cargo | Sort-Object Purl
        $c.Purl | Should -Be @('pkg:cargo/hello@0.1.0', 'pkg:cargo/serde@1.0.188')
        ($c | Where-Object Name -eq serde).Ecosystem | Should -Be 'crates.io'
        ($c | Where-Object Name -eq serde).Path | Should -Be 'usr/local/bin/hello'
    }
}

Describe 'Invoke-DockOptScan -Sbom: an existing SBOM without an image' {
    BeforeAll {
        $script:sbomDir = Join-Path ([IO.Path]::GetTempPath()) ('h7-sbomscan-' + [guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory $script:sbomDir | Out-Null
        $purl = 'pkg:rpm/almalinux/openssl-libs@3.0.1-38.el9_0?arch=x86_64&distro=almalinux-9.0&epoch=1'
        @{ bomFormat = 'CycloneDX'; specVersion = '1.5'; metadata = @{ component = @{ type = 'container'; name = 'h7/alma:9' } }
           components = @(@{ type = 'library'; name = 'openssl-libs'; version = '1:3.0.1-38.el9_0'; purl = $purl }) } |
            ConvertTo-Json -Depth 6 | Set-Content (Join-Path $script:sbomDir 'alma.cdx.json')
        $script:osv = Join-Path $script:data 'osv-rpm'
    }
    AfterAll { Remove-Item -Recurse -Force $script:sbomDir -ErrorAction SilentlyContinue }

    It 'matches the purls of a CycloneDX SBOM against OSV records' {
        $r = Invoke-DockOptScan -Sbom (Join-Path $script:sbomDir 'alma.cdx.json') -VulnerabilityDatabase $script:osv
        $r.Image | Should -Be 'h7/alma:9'
        $r.Vulnerabilities.Id | Should -Be 'ALSA-2022:6224'
        $r.Vulnerabilities.FixedVersion | Should -Be '1:3.0.1-41.el9_0'
        $r.VulnerabilityCount | Should -Be 1
    }

    It 'reads syft''s SPDX output (verbatim golden file)' {
        $r = Invoke-DockOptScan -Sbom (Join-Path $script:data 'sbom/syft-TestSPDXJSONImageEncoder.golden.spdx.json') -VulnerabilityDatabase $script:osv -WarningAction SilentlyContinue
        $r.PackageCount | Should -Be 2
        # The database here holds only rpm records: for this SBOM's ecosystems it has 0, so the scan is Incomplete, never Passed.
        $r.Outcome | Should -Be 'Incomplete'
        $r.Errors -join ' ' | Should -Match 'holds 0 records'
    }

    It 'fails with SbomFormatUnknown for a file that is not an SBOM' {
        '{"a":1}' | Set-Content (Join-Path $script:sbomDir 'x.json')
        { Invoke-DockOptScan -Sbom (Join-Path $script:sbomDir 'x.json') -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'SbomFormatUnknown*'
    }
}
