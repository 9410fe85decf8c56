using Microsoft.Extensions.Options;

namespace Shopstream.Ingest;

/// <summary>
/// Runs an options class's own <c>Validate</c> method as an <see cref="IValidateOptions{TOptions}"/>, so that
/// <c>ValidateOnStart</c> fails with the very message (naming the key) that the method throws.
/// </summary>
/// <typeparam name="TOptions">The options class.</typeparam>
public sealed class OwnValidation<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is ArgumentException or IngestException)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
