using System.Globalization;

namespace Echain.Demo.Emulator;

/// <summary>The block a restart begins with, in a text file: past every block whose deliveries were handed over and finished.</summary>
public sealed class EmulatorCheckpoint(string path)
{
    public string Path { get; } = path;

    /// <summary>The saved next block, or null when there is no file yet. A file that is not a block number is an error, not a fresh start.</summary>
    public long? Read()
    {
        if (!File.Exists(Path)) return null;
        var text = File.ReadAllText(Path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var next)
            ? next
            : throw new InvalidDataException($"The checkpoint {Path} does not hold a block number.");
    }

    /// <summary>Replaces the file in one rename, so a crash leaves the old number or the new one, never half of one.</summary>
    public void Write(long nextBlock)
    {
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, nextBlock.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, Path, overwrite: true);
    }
}
