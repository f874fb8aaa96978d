using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;

namespace EgressAgent.Infrastructure.Connectors.Secrets;

/// <summary>
/// <c>self_hosted_credentials_type: file</c>: the secret is the UTF-8 text of the file <c>file_path</c>,
/// at most <see cref="MaxBytes"/> (a larger file is refused, never read whole).
/// </summary>
internal sealed class FileSecretSource : ISelfHostedSecretSource
{
    public const int MaxBytes = 1024 * 1024;
    private const string PathField = "file_path";

    public string Type => "file";

    public async Task<SelfHostedSecret> ReadAsync(JsonObject credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var path = credentials[PathField] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (string.IsNullOrEmpty(path))
        {
            throw new SelfHostedCredentialsException($"{PathField} must be a non-empty string");
        }

        var origin = $"file {path}";
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
            var buffer = new byte[MaxBytes + 1];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            if (read > MaxBytes)
            {
                throw new SelfHostedCredentialsException($"{origin} is larger than {MaxBytes} bytes");
            }

            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(buffer, 0, read);
            Array.Clear(buffer, 0, read);
            return new SelfHostedSecret(origin, text.TrimStart('\uFEFF'));
        }
        catch (FileNotFoundException)
        {
            throw new SelfHostedCredentialsException($"{origin} does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            throw new SelfHostedCredentialsException($"{origin} does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new SelfHostedCredentialsException($"{origin} cannot be read (permission denied)");
        }
        catch (DecoderFallbackException)
        {
            throw new SelfHostedCredentialsException($"{origin} is not UTF-8 text");
        }
        catch (IOException ex)
        {
            throw new SelfHostedCredentialsException($"{origin} cannot be read ({ex.GetType().Name})");
        }
    }
}
