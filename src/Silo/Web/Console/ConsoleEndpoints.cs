using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Shopstream.Silo.Web.Console;

/// <summary>
/// The web console: its pages at <c>/console/</c> (files under the silo's <c>wwwroot/console</c>, ECharts among them,
/// copied there at build) and the JSON they read at <c>/api/analytics/*</c>. Behind <see cref="WebKeyGuard"/> like the
/// dashboard and the rest of <c>/api</c>: the guard runs before every endpoint.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>Where the console's files are, relative to the application's directory.</summary>
    internal static string FilesDirectory => Path.Combine(AppContext.BaseDirectory, "wwwroot", "console");

    /// <summary>Maps <c>/console/</c> and <c>/api/analytics/*</c>.</summary>
    public static IEndpointRouteBuilder MapShopstreamConsole(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/analytics");
        api.MapCatalogueAnalytics();
        api.MapClickstreamAnalytics();
        api.MapRecallAnalytics();
        api.MapPipelineAnalytics();

        if (!Directory.Exists(FilesDirectory))
        {
            throw new DirectoryNotFoundException($"the console's files are missing from {FilesDirectory}: build src/Silo after `npm ci` (ECharts is copied from node_modules)");
        }
        var files = new PhysicalFileProvider(FilesDirectory);
        var types = new FileExtensionContentTypeProvider();
        app.MapGet("/console/{**path}", (string? path, HttpContext context) =>
        {
            // Routing matches /console and /console/ alike; the pages' relative links need the slash.
            if (string.IsNullOrEmpty(path) && !context.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect("/console/");
            }
            // PhysicalFileProvider refuses paths that leave its root (.., absolute), answering "not found".
            var file = files.GetFileInfo(string.IsNullOrEmpty(path) ? "index.html" : path);
            if (!file.Exists || file.IsDirectory || file.PhysicalPath is null)
            {
                return Results.NotFound();
            }
            context.Response.Headers.CacheControl = "no-cache";
            return Results.File(file.PhysicalPath, types.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream",
                lastModified: file.LastModified, enableRangeProcessing: false);
        });
        return app;
    }
}
