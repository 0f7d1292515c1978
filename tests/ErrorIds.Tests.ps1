BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    # The catalogue as the built module holds it: every public string constant of [DockOpt.ErrorIds].
    $script:ids = & {
        Import-Module (Get-DockOptTestModulePath) -Force
        [DockOpt.ErrorIds].GetFields('Public, Static') | Where-Object { $_.IsLiteral -and $_.FieldType -eq [string] } |
            ForEach-Object { @{ Id = $_.Name } }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    $script:about = (Get-Help about_DockOpt_ErrorIds | Out-String)
}

Describe 'Get-Help about_DockOpt_ErrorIds' {
    It 'is compiled into the module help' {
        $about | Should -Match 'about_DockOpt_ErrorIds'
        $ids.Count | Should -BeGreaterOrEqual 100
    }

    It 'lists <Id> with its category and hint' -ForEach $ids {
        $attr = [DockOpt.ErrorIds]::All[$Id]
        $about | Should -Match ('\*\*' + $Id + '\*\* \(' + $attr.Category + '\b')
        # Help text wraps nothing, so the hint's first words follow the id on its line.
        $first = ($attr.Hint -split ' ' | Select-Object -First 4) -join ' '
        $about | Should -Match ([regex]::Escape($Id) + '.*' + [regex]::Escape($first))
    }
}

Describe 'Terminating ids' {
    It 'an unreachable engine ends the command whatever the input' {
        [DockOpt.ErrorIds]::IsTerminating('EngineUnreachable') | Should -BeTrue
        [DockOpt.ErrorIds]::IsTerminating('ImageNotFound') | Should -BeFalse
    }
}
