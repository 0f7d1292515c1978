using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace DockOpt.Cmdlets;

/// <summary>The private load context that DockOpt.Engine and its third-party dependencies load into (see <see cref="ModuleAssemblyInitializer"/>).</summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    static readonly string s_dependencyDir =
        Path.Combine(Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!, "Dependencies");

    static readonly DependencyLoadContext s_instance = new();
    static int s_registered;

    DependencyLoadContext() : base("DockOpt.Dependencies", isCollectible: false) { }

    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
            Default.Resolving += ResolveEngine;
    }

    public static void Unregister()
    {
        if (Interlocked.Exchange(ref s_registered, 0) == 1)
            Default.Resolving -= ResolveEngine;
    }

    /// <summary>The default context asks for DockOpt.Engine (the bridge): load it, privately, from Dependencies/.</summary>
    static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
    {
        if (!string.Equals(name.Name, "DockOpt.Engine", StringComparison.Ordinal))
            return null;
        return s_instance.LoadFromAssemblyName(name);
    }

    /// <summary>Only what is in Dependencies/ loads here; everything else (the BCL, DockOpt.Contracts) comes from the default context.</summary>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(s_dependencyDir, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(s_dependencyDir, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
