using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace DockOpt.Cmdlets.Conventions;

/// <summary>
/// Accepts a duration the way people write one and binds a <see cref="TimeSpan"/>: <c>30s</c>, <c>2m</c>, <c>1h30m</c>,
/// <c>500ms</c>, <c>1.5h</c>, a number of seconds (<c>90</c>, <c>2.5</c>), a TimeSpan string (<c>00:01:30</c>) or a TimeSpan.
/// Every duration parameter of DockOpt carries it; their names end in Timeout or Interval, or are GracePeriod.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    static readonly Regex Units = new(@"^(?:(?<n>\d+(?:\.\d+)?)(?<u>ms|h|m|s|d))+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    static readonly Regex Part = new(@"(?<n>\d+(?:\.\d+)?)(?<u>ms|h|m|s|d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (TryConvert(value, out var t)) return t;
        throw new ArgumentTransformationMetadataException(
            $"'{value}' is not a duration. Write 30s, 2m, 1h30m, 500ms, a number of seconds (90) or a TimeSpan (00:01:30).");
    }

    /// <summary>Converts a duration value; false when it is not one (negative durations are refused).</summary>
    public static bool TryConvert(object? value, out TimeSpan result)
    {
        result = default;
        switch (value)
        {
            case TimeSpan ts:
                result = ts;
                break;
            case int or long or short or byte or double or float or decimal:
                var seconds = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds) return false;
                result = TimeSpan.FromSeconds(seconds);
                break;
            case string s:
                s = s.Trim();
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs))
                {
                    if (double.IsNaN(secs) || double.IsInfinity(secs) || secs > TimeSpan.MaxValue.TotalSeconds) return false;
                    result = TimeSpan.FromSeconds(secs);
                }
                else if (Units.IsMatch(s))
                {
                    var total = TimeSpan.Zero;
                    foreach (Match m in Part.Matches(s))
                    {
                        var n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
                        total += m.Groups["u"].Value.ToLowerInvariant() switch
                        {
                            "ms" => TimeSpan.FromMilliseconds(n),
                            "s" => TimeSpan.FromSeconds(n),
                            "m" => TimeSpan.FromMinutes(n),
                            "h" => TimeSpan.FromHours(n),
                            _ => TimeSpan.FromDays(n),
                        };
                    }
                    result = total;
                }
                else if (!TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out result)) return false;
                break;
            default:
                return false;
        }
        return result >= TimeSpan.Zero;
    }
}
