namespace DockOpt;

/// <summary>
/// Describes one catalogued ErrorId: the category it is raised with and a one-line hint of what to do.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
public sealed class ErrorIdAttribute : Attribute
{
    public ErrorIdAttribute(DockOptErrorCategory category, string hint)
    {
        Category = category;
        Hint = hint;
    }

    public DockOptErrorCategory Category { get; }

    public string Hint { get; }

    /// <summary>The error ends the command whatever the input (the engine cannot be used at all).</summary>
    public bool Terminating { get; set; }
}

/// <summary>
/// The catalogue of every ErrorId DockOpt raises. Throw sites use these constants, never string literals.
/// Each area keeps its ids in its own partial file (ErrorIds.&lt;Area&gt;.cs); every constant is
/// <c>public const string X = nameof(X);</c> with an <see cref="ErrorIdAttribute"/>.
/// </summary>
public static partial class ErrorIds
{
    static IReadOnlyDictionary<string, ErrorIdAttribute>? _all;

    /// <summary>Every catalogued id with its attribute, read once from the constants of this class.</summary>
    public static IReadOnlyDictionary<string, ErrorIdAttribute> All => _all ??= typeof(ErrorIds)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (Id: (string)f.GetRawConstantValue()!, Attr: f.GetCustomAttributes(typeof(ErrorIdAttribute), false).OfType<ErrorIdAttribute>().FirstOrDefault()))
        .Where(x => x.Attr != null)
        .ToDictionary(x => x.Id, x => x.Attr!, StringComparer.Ordinal);

    /// <summary>True when the catalogue marks <paramref name="errorId"/> as ending the command whatever the input.</summary>
    public static bool IsTerminating(string? errorId) =>
        errorId != null && All.TryGetValue(errorId, out var a) && a.Terminating;
}
