using System.Text.Encodings.Web;
using Echain.Core;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Web;

/// <summary>
/// The browser page. Standalone it lives at <c>/</c> (<c>/events/{id}</c>, <c>/wallets/{address}</c>);
/// under the Functions host every HTTP function is below the <c>api</c> route prefix, so the
/// <c>WebPages</c> function forwards <c>/api/web/{*path}</c> and the same app answers there too.
/// One HTML shell serves every page; the server writes the mount into <c>&lt;base href&gt;</c> and
/// the API base into a meta tag, and the page computes every URL from those two.
/// </summary>
public static partial class WebPagesApi
{
    /// <summary>Where the pages live under the Functions host (route prefix "api" + function route "web/{*path}").</summary>
    public const string FunctionsMount = "/api/web";

    public static WebApplication MapWebPages(this WebApplication app, EchainHost host)
    {
        var files = WebRoot(app.Environment);
        var options = app.Services.GetRequiredService<IOptions<WebPageOptions>>().Value;
        var echain = app.Services.GetRequiredService<IOptions<EchainOptions>>().Value;
        var shell = new WebPageShell(files, options, echain);

        // HTML only through the shell endpoints (it needs its placeholders filled); every other asset as a file.
        var types = new FileExtensionContentTypeProvider();
        types.Mappings.Remove(".html");
        types.Mappings[".mjs"] = "text/javascript";
        // Standalone: static files and the page routes at the root. Under the Functions host the root
        // belongs to the host (GET / is the handler's readiness probe) and is never forwarded.
        if (!host.IsAzureFunctions)
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                ContentTypeProvider = types,
                // Revalidate every time (ETag/Last-Modified make that a 304): a deploy is seen at once.
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
            });
            var pages = app.MapGroup("").ExcludeFromDescription();
            pages.MapGet("/", shell.Serve(""));
            pages.MapGet("/events/{eventId}", shell.Serve(""));
            pages.MapGet("/wallets/{address}", shell.Serve(""));
            // The operator page: the HTML is public; its data needs the admin key (GET /api/admin/metrics).
            pages.MapGet("/admin", shell.Serve(""));
        }

        // Functions host: the WebPages function forwards exactly "api/web/{*path}", so one endpoint answers
        // that whole mount — the page shell for page paths, the file for anything else.
        var functionsShell = shell.Serve(FunctionsMount);
        app.MapGet(FunctionsMount + "/{*path}", (HttpContext context, string? path) =>
                IsPage(path) ? functionsShell(context) : ServeAssetAsync(context, files, types, path))
            .ExcludeFromDescription();
        return app;
    }

    private static bool IsPage(string? path) =>
        string.IsNullOrEmpty(path) || PagePath().IsMatch(path);

    [System.Text.RegularExpressions.GeneratedRegex("^((events|wallets)/[^/]+|admin)/?$")]
    private static partial System.Text.RegularExpressions.Regex PagePath();

    private static Task ServeAssetAsync(HttpContext context, IFileProvider files, FileExtensionContentTypeProvider types, string? path)
    {
        var file = files.GetFileInfo(path ?? "");
        if (!file.Exists || file.IsDirectory || !types.TryGetContentType(file.Name, out var contentType))
            return Results.NotFound().ExecuteAsync(context);
        context.Response.Headers.CacheControl = "no-cache";
        var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue(
            $"\"{file.LastModified.ToUnixTimeSeconds():x}-{file.Length:x}\"");
        // FileStreamHttpResult answers If-None-Match / If-Modified-Since with 304 itself.
        return TypedResults.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified, entityTag: etag)
            .ExecuteAsync(context);
    }

    /// <summary>
    /// wwwroot next to the assembly (the build and publish copy it there), so the page is found whatever
    /// the working directory: run.sh starts the dll from the repo root, the Functions host from the package.
    /// </summary>
    private static IFileProvider WebRoot(IWebHostEnvironment environment)
    {
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(besideAssembly) ? new PhysicalFileProvider(besideAssembly) : environment.WebRootFileProvider;
    }
}

/// <summary>Section "Echain:Web".</summary>
public sealed class WebPageOptions
{
    public const string Section = "Echain:Web";

    /// <summary>
    /// The API base the page calls, relative to the request's PathBase unless absolute
    /// (e.g. "https://api.example.com/api" when the page is hosted elsewhere). Default "/api".
    /// </summary>
    public string ApiBase { get; set; } = "/api";
}

/// <summary>index.html with its mount, API base and payment token written in; read once.</summary>
internal sealed class WebPageShell(IFileProvider files, WebPageOptions options, EchainOptions echain)
{
    private const string BaseTag = """<base href="/">""";
    private const string ApiBaseTag = """<meta name="echain-api-base" content="/api">""";
    private const string UsdcTag = """<meta name="echain-usdc" content="">""";

    private readonly Lazy<string> _template = new(() => Load(files));

    public RequestDelegate Serve(string mount) => context =>
    {
        var request = context.Request;
        var pathBase = request.PathBase.Value ?? "";
        var apiBase = Uri.TryCreate(options.ApiBase, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? options.ApiBase.TrimEnd('/')
            : pathBase + "/" + options.ApiBase.Trim('/');
        var html = _template.Value
            .Replace(BaseTag, $"""<base href="{Attr(pathBase + mount + "/")}">""", StringComparison.Ordinal)
            .Replace(ApiBaseTag, $"""<meta name="echain-api-base" content="{Attr(apiBase)}">""", StringComparison.Ordinal)
            .Replace(UsdcTag, $"""<meta name="echain-usdc" content="{Attr(PaymentToken())}">""", StringComparison.Ordinal);
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.WriteAsync(html, context.RequestAborted);
    };

    private string PaymentToken() => echain.PaymentTokens.Count > 0 ? echain.PaymentTokens[0].ToLowerInvariant() : "";

    private static string Attr(string value) => HtmlEncoder.Default.Encode(value);

    private static string Load(IFileProvider files)
    {
        var file = files.GetFileInfo("index.html");
        if (!file.Exists) throw new FileNotFoundException("wwwroot/index.html is missing from the build output.");
        using var reader = new StreamReader(file.CreateReadStream());
        var html = reader.ReadToEnd();
        foreach (var tag in new[] { BaseTag, ApiBaseTag, UsdcTag })
            if (!html.Contains(tag, StringComparison.Ordinal))
                throw new InvalidOperationException($"wwwroot/index.html no longer contains {tag}; WebPageShell fills it in.");
        return html;
    }
}
