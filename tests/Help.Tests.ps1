BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-DockOptTestModulePath
    $manifest = Import-PowerShellDataFile $modulePath
    $dll = Join-Path (Split-Path $modulePath) 'DockOpt.Cmdlets.dll'
    # The cmdlets that exist in the built assembly and are exported (a planned name without a class is not tested).
    $script:cmdlets = & {
        Import-Module $modulePath -Force
        (Get-Command -Module DockOpt -CommandType Cmdlet).Name
    } | Where-Object { $_ -in $manifest.CmdletsToExport } | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $script:help = Get-Help $Name -Full
        $script:cmd = Get-Command $Name
    }

    It 'has a written synopsis, not the generated syntax line' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
        $help.Synopsis.Trim() | Should -Not -Be $Name
    }

    It 'has a description' {
        ($help.description.Text -join ' ').Trim().Length | Should -BeGreaterThan 40
    }

    It 'has at least two examples with code and remarks' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($e in $examples) {
            $e.code | Should -Not -BeNullOrEmpty
            ($e.remarks.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter, and documents no parameter the cmdlet lacks' {
        $actual = @($cmd.Parameters.Keys | Where-Object { $_ -notin $common })
        $documented = @($help.parameters.parameter | ForEach-Object name | Where-Object { $_ -notin $common })
        foreach ($p in $actual) {
            $p | Should -BeIn $documented -Because "parameter -$p of $Name needs help in docs/$Name.md"
            $ph = $help.parameters.parameter | Where-Object name -EQ $p
            ($ph.description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
        foreach ($p in $documented) { $p | Should -BeIn $actual -Because "docs/$Name.md documents -$p, which $Name does not have" }
    }

    It 'names its output type' {
        $cmd.OutputType.Count | Should -BeGreaterThan 0
    }
}

Describe 'About topic' {
    It 'about_DockOpt is found by Get-Help' {
        (Get-Help about_DockOpt | Out-String) | Should -Match 'private assembly load context'
    }

    It 'about_DockOpt_Analysis documents the accounting' {
        (Get-Help about_DockOpt_Analysis | Out-String) | Should -Match 'ReclaimableBytes'
    }

    It 'about_DockOptImageTestSpec (compiled from docs/about_DockOptImageTestSpec.md) documents the spec schema' {
        $text = Get-Help about_DockOptImageTestSpec | Out-String
        $text | Should -Match 'schemaVersion: dockopt/v1'
        $text | Should -Match 'SHORT DESCRIPTION'
    }
}
