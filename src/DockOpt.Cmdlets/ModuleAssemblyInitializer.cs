using System.Management.Automation;
using System.Runtime.Loader;

namespace DockOpt.Cmdlets;

/// <summary>
/// The load-context bridge ("resolving PowerShell module assembly dependency conflicts"): DockOpt.Engine and
/// every third-party DLL live in Dependencies/ and load into one private <see cref="AssemblyLoadContext"/>,
/// so another module's Docker.DotNet, Microsoft.Extensions.* or YamlDotNet of any version cannot clash with ours.
/// </summary>
public sealed class ModuleAssemblyInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => DependencyLoadContext.Register();

    public void OnRemove(PSModuleInfo psModuleInfo) => DependencyLoadContext.Unregister();
}
