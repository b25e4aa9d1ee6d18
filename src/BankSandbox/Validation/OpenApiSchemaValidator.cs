using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Settlement.BankSandbox.Validation;

/// <summary>
/// Validates PIS request and response bodies against the components schemas of the OBIE OpenAPI file of one version
/// (embedded, unchanged), with NJsonSchema. The operation is found from method + path; the schema from its
/// requestBody or the response of the given status.
/// </summary>
public sealed class OpenApiSchemaValidator
{
    private static readonly Lazy<OpenApiSchemaValidator> V3 = new(() => Load(PisVersion.V3), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OpenApiSchemaValidator> V4 = new(() => Load(PisVersion.V4), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OpenApiSchemaValidator> VrpV4 = new(() => Load(PisVersion.V4, "Settlement.BankSandbox.Specs.vrp-v4.0.yaml", isYaml: true), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly JsonObject _document;
    private readonly JsonSchema _definitions;
    private readonly List<(string Template, string[] Segments)> _paths;
    private readonly ConcurrentDictionary<string, string?> _schemaNames = new(StringComparer.Ordinal);

    private OpenApiSchemaValidator(PisVersion version, JsonObject document, JsonSchema definitions)
    {
        Version = version;
        _document = document;
        _definitions = definitions;
        _paths = ((JsonObject)document["paths"]!).Select(p => (p.Key, p.Key.Trim('/').Split('/'))).ToList();
    }

    /// <summary>The API version whose OpenAPI file this validator reads.</summary>
    public PisVersion Version { get; }

    /// <summary>The validator of one version (loaded once, then shared; thread-safe).</summary>
    public static OpenApiSchemaValidator For(PisVersion version) => version switch
    {
        PisVersion.V3 => V3.Value,
        PisVersion.V4 => V4.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(version)),
    };

    /// <summary>The validator of the OBIE VRP v4.0 (Update 4) file: domestic-vrp-consents and domestic-vrps (thread-safe).</summary>
    public static OpenApiSchemaValidator Vrp => VrpV4.Value;

    /// <summary>The components schema of the operation's request body, or null.</summary>
    public string? RequestSchemaName(string method, string path) =>
        _schemaNames.GetOrAdd($"req {method.ToUpperInvariant()} {Template(path)}", _ => FindRequestSchema(method, path));

    /// <summary>The components schema of the operation's response with that status, or null (no body / unknown).</summary>
    public string? ResponseSchemaName(string method, string path, int statusCode) =>
        _schemaNames.GetOrAdd($"res {method.ToUpperInvariant()} {Template(path)} {statusCode}", _ => FindResponseSchema(method, path, statusCode));

    /// <summary>Validates a request body. An unknown operation or one without a body is reported as an error.</summary>
    public SchemaValidationResult ValidateRequest(string method, string path, string json)
    {
        var name = RequestSchemaName(method, path);
        return name is null
            ? new SchemaValidationResult(null, [new(SchemaErrorKind.Unexpected, "", $"{method} {path}: the spec defines no request body")])
            : ValidateSchema(name, json);
    }

    /// <summary>Validates a response body; when the spec defines no body for that status, the body must be empty.</summary>
    public SchemaValidationResult ValidateResponse(string method, string path, int statusCode, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (FindOperation(method, path) is null)
        {
            return new SchemaValidationResult(null, [new(SchemaErrorKind.Invalid, "", $"{method} {path}: no such operation in the spec")]);
        }

        var name = ResponseSchemaName(method, path, statusCode);
        if (name is null)
        {
            return string.IsNullOrWhiteSpace(json)
                ? new SchemaValidationResult(null, [])
                : new SchemaValidationResult(null, [new(SchemaErrorKind.Unexpected, "", $"status {statusCode.ToString(CultureInfo.InvariantCulture)}: the spec defines no body")]);
        }

        return ValidateSchema(name, json);
    }

    /// <summary>Validates JSON against a named components schema (e.g. <c>OBWriteDomesticConsent4</c>).</summary>
    public SchemaValidationResult ValidateSchema(string schemaName, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!_definitions.Definitions.TryGetValue(schemaName, out var schema))
        {
            throw new ArgumentException($"No components schema named {schemaName}.", nameof(schemaName));
        }

        JToken token;
        try
        {
            using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal };
            token = JToken.ReadFrom(reader);
            if (reader.Read())
            {
                return new SchemaValidationResult(schemaName, [new(SchemaErrorKind.Invalid, "", "trailing content after the JSON value")]);
            }
        }
        catch (JsonReaderException e)
        {
            return new SchemaValidationResult(schemaName, [new(SchemaErrorKind.Invalid, "", "not JSON: " + e.Message)]);
        }

        var errors = new List<SchemaValidationError>();
        Flatten(schema.Validate(token), errors);
        return new SchemaValidationResult(schemaName, errors);
    }

    private static void Flatten(IEnumerable<ValidationError> source, List<SchemaValidationError> into)
    {
        foreach (var e in source)
        {
            if (e is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var inner in child.Errors.Values)
                {
                    Flatten(inner, into);
                }

                continue;
            }

            var kind = e.Kind switch
            {
                ValidationErrorKind.PropertyRequired => SchemaErrorKind.Missing,
                ValidationErrorKind.NoAdditionalPropertiesAllowed => SchemaErrorKind.Unexpected,
                _ => SchemaErrorKind.Invalid,
            };
            var path = (e.Path ?? "").TrimStart('#').TrimStart('/');
            if (path.Length == 0 && e.Property is not null)
            {
                path = e.Property;
            }

            into.Add(new SchemaValidationError(kind, path, e.Kind.ToString()));
        }
    }

    private string? FindRequestSchema(string method, string path)
    {
        var op = FindOperation(method, path);
        var body = Deref(op?["requestBody"]);
        return SchemaOfContent(body?["content"]);
    }

    private string? FindResponseSchema(string method, string path, int statusCode)
    {
        var op = FindOperation(method, path);
        var response = Deref(op?["responses"]?[statusCode.ToString(CultureInfo.InvariantCulture)]);
        return SchemaOfContent(response?["content"]);
    }

    private static string? SchemaOfContent(JsonNode? content)
    {
        if (content is not JsonObject c)
        {
            return null;
        }

        var media = c["application/json"] ?? c["application/json; charset=utf-8"] ?? c.FirstOrDefault().Value;
        var reference = media?["schema"]?["$ref"]?.GetValue<string>();
        return reference?[(reference.LastIndexOf('/') + 1)..];
    }

    private JsonNode? Deref(JsonNode? node)
    {
        for (var i = 0; i < 8 && node?["$ref"] is JsonValue r; i++)
        {
            var parts = r.GetValue<string>().TrimStart('#').Trim('/').Split('/');
            JsonNode? target = _document;
            foreach (var p in parts)
            {
                target = target?[p];
            }

            node = target;
        }

        return node;
    }

    private JsonObject? FindOperation(string method, string path)
    {
        var template = Template(path);
        return template is null ? null : _document["paths"]?[template]?[method.ToLowerInvariant()] as JsonObject;
    }

    private string? Template(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var p = path;
        var q = p.IndexOfAny(['?', '#']);
        if (q >= 0)
        {
            p = p[..q];
        }

        var pisp = p.IndexOf("/pisp/", StringComparison.Ordinal);
        if (pisp >= 0)
        {
            p = p[(pisp + "/pisp".Length)..];
        }

        var segments = p.Trim('/').Split('/');
        foreach (var (template, t) in _paths)
        {
            if (t.Length != segments.Length)
            {
                continue;
            }

            var ok = true;
            for (var i = 0; i < t.Length && ok; i++)
            {
                ok = t[i].StartsWith('{') || string.Equals(t[i], segments[i], StringComparison.Ordinal);
            }

            if (ok)
            {
                return template;
            }
        }

        return null;
    }

    private static OpenApiSchemaValidator Load(PisVersion version)
    {
        var (resource, isYaml) = version == PisVersion.V3
            ? ("Settlement.BankSandbox.Specs.pis-v3.1.11.yaml", true)
            : ("Settlement.BankSandbox.Specs.pis-v4.0.json", false);
        return Load(version, resource, isYaml);
    }

    private static OpenApiSchemaValidator Load(PisVersion version, string resource, bool isYaml)
    {
        using var stream = typeof(OpenApiSchemaValidator).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded spec {resource} is missing.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var document = (isYaml ? YamlToJson.Convert(text) : JsonNode.Parse(text)) as JsonObject
            ?? throw new InvalidOperationException($"Embedded spec {resource} is not an object.");

        // OpenAPI 3.0 components schemas are (almost) JSON Schema draft 4: put them under "definitions" and point the refs there.
        var schemas = (JsonObject)document["components"]!["schemas"]!.DeepClone();
        RewriteRefs(schemas);
        var root = new JsonObject { ["definitions"] = schemas };
        var definitions = JsonSchema.FromJsonAsync(root.ToJsonString()).GetAwaiter().GetResult();
        return new OpenApiSchemaValidator(version, document, definitions);
    }

    private static void RewriteRefs(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToArray())
                {
                    if (key == "$ref" && o[key] is JsonValue v && v.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    {
                        o[key] = "#/definitions/" + v.GetValue<string>()["#/components/schemas/".Length..];
                    }
                    else
                    {
                        RewriteRefs(o[key]);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    RewriteRefs(item);
                }

                break;
        }
    }

    internal static Assembly SpecAssembly => typeof(OpenApiSchemaValidator).Assembly;
}
