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
}

/// <summary>
/// The catalogue of every ErrorId DockOpt raises. Throw sites use these constants, never string literals.
/// Each area keeps its ids in its own partial file (ErrorIds.&lt;Area&gt;.cs); every constant is
/// <c>public const string X = nameof(X);</c> with an <see cref="ErrorIdAttribute"/>.
/// </summary>
public static partial class ErrorIds
{
}
