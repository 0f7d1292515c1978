namespace DockOpt;

public static partial class ErrorIds
{
    /// <summary>A Test-DockOptImage spec that cannot be used: the message names the key, the expected type and the value found.</summary>
    [ErrorId(DockOptErrorCategory.InvalidData,
        "Fix the key the message names (a scalar where a scalar belongs, ports 1-65535); see Get-Help about_DockOptImageTestSpec for the schema.")]
    public const string InvalidTestSpec = nameof(InvalidTestSpec);
}
