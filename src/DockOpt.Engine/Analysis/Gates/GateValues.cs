using System.Globalization;

namespace DockOpt.Engine.Analysis.Gates;

/// <summary>Reading gate values from settings files, with one error (AnalysisConfigInvalid) naming the file and key.</summary>
internal static class GateValues
{
    public static double Number(string value, string file, string key, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || d < min || d > max)
            throw Bad(file, key, value, $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return d;
    }

    public static DockOptException Bad(string file, string key, string value, string expected) =>
        new(ErrorIds.AnalysisConfigInvalid, DockOptErrorCategory.InvalidData, $"'{key}: {value}' in '{file}' is not valid: expected {expected}.", file,
            $"Fix '{key}' in '{file}' (or set it to 'disabled').");
}
