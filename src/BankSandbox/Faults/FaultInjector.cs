using System.Globalization;

namespace Settlement.BankSandbox.Faults;

/// <summary>The active fault rules. Thread-safe; each rule fires its <see cref="FaultRule.Times"/> and is then gone.</summary>
public sealed class FaultInjector
{
    /// <summary>The per-request header: <c>x-sandbox-fault: Kind[;param=value]</c>.</summary>
    public const string HeaderName = "x-sandbox-fault";

    private readonly object _gate = new();
    private readonly List<(FaultRule Rule, int Left)> _rules = [];

    /// <summary>Adds a rule.</summary>
    public void Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(rule.Times, 1);
        lock (_gate)
        {
            _rules.Add((rule, rule.Times));
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>The rules that still have firings left.</summary>
    public IReadOnlyList<FaultRule> Active
    {
        get
        {
            lock (_gate)
            {
                return _rules.Select(r => r.Rule).ToArray();
            }
        }
    }

    /// <summary>Takes one firing of each HTTP rule matching the request (at most one rule per kind).</summary>
    internal List<FaultRule> TakeForRequest(string method, string path)
    {
        var fired = new List<FaultRule>();
        lock (_gate)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var (rule, left) = _rules[i];
                if (rule.IsNotificationFault || !rule.Matches(method, path) || fired.Exists(f => f.Kind == rule.Kind))
                {
                    continue;
                }

                fired.Add(rule);
                if (left != int.MaxValue)
                {
                    _rules[i] = (rule, left - 1);
                }
            }

            _rules.RemoveAll(r => r.Left <= 0);
        }

        return fired;
    }

    /// <summary>Takes one firing of a notification rule of that kind, if any.</summary>
    internal bool TakeNotificationFault(FaultKind kind)
    {
        lock (_gate)
        {
            var i = _rules.FindIndex(r => r.Rule.Kind == kind);
            if (i < 0)
            {
                return false;
            }

            var (rule, left) = _rules[i];
            if (left != int.MaxValue)
            {
                left--;
            }

            if (left <= 0)
            {
                _rules.RemoveAt(i);
            }
            else
            {
                _rules[i] = (rule, left);
            }

            return true;
        }
    }

    /// <summary>Parses the <c>x-sandbox-fault</c> header value; false when it is not understood (never throws).</summary>
    internal static bool TryParseHeader(string? value, out FaultRule? rule)
    {
        rule = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var parts = value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !Enum.TryParse<FaultKind>(parts[0], ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
        {
            return false;
        }

        var retryAfter = 1;
        var latency = TimeSpan.FromSeconds(1);
        foreach (var p in parts.Skip(1))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return false;
            }

            var name = p[..eq].Trim();
            if (!int.TryParse(p[(eq + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            if (name.Equals("retry-after", StringComparison.OrdinalIgnoreCase))
            {
                retryAfter = n;
            }
            else if (name.Equals("ms", StringComparison.OrdinalIgnoreCase))
            {
                latency = TimeSpan.FromMilliseconds(n);
            }
            else
            {
                return false;
            }
        }

        rule = new FaultRule { Kind = kind, RetryAfterSeconds = retryAfter, Latency = latency };
        return true;
    }
}
