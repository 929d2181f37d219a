using System.Text;

namespace GlmmGpu.Data.Csv;

/// <summary>
/// The decoder fallback of one file reader: it puts U+FFFD in place of bytes that are not UTF-8, as the default
/// decoder does, and notes that it did, so that the reader can look for the record that holds them and stop with
/// its line. Replaced silently, Latin-1 "h\xE9" and "h\xE8" would both read "h\uFFFD", one factor level.
/// Until the note is set, checking it is the reader's only cost per record.
/// </summary>
internal sealed class InvalidUtf8Detector : DecoderFallback
{
    public const char Replacement = '\uFFFD';

    /// <summary>Whether the decoder has met bytes that are not UTF-8.</summary>
    public bool Seen { get; private set; }

    public override int MaxCharCount => 1;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

    /// <summary>A reader of bytes [start, start + length) of a file as UTF-8, with its own detector; a byte-order mark is
    /// skipped at the file's start only.</summary>
    public static StreamReader OpenReader(Stream stream, bool atFileStart)
    {
        // The UTF-8 identifier makes the reader skip a byte-order mark. The reader is not asked to detect other
        // encodings from it: that would replace this decoder (UTF-16 files are refused before, by CsvFileCheck).
        var encoding = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: atFileStart).Clone();
        encoding.DecoderFallback = new InvalidUtf8Detector();
        return new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
    }

    /// <summary>The detector of a reader made by <see cref="OpenReader"/>; null for other text (already decoded).</summary>
    public static InvalidUtf8Detector? Of(TextReader text) => (text as StreamReader)?.CurrentEncoding.DecoderFallback as InvalidUtf8Detector;

    /// <summary>The error for bytes that are not UTF-8 on a line, in the field described by <paramref name="where"/>.</summary>
    public static GlmmException Error(string source, int line, string where) =>
        new($"{source} line {line}, {where}, holds bytes that are not UTF-8 (is the file Latin-1 or Windows-1252?): " +
            "convert it to UTF-8, e.g. iconv -f latin1 -t utf-8");

    // As the framework's replacement fallback buffer, for a one-character replacement.
    private sealed class Buffer(InvalidUtf8Detector owner) : DecoderFallbackBuffer
    {
        private int count = -1;
        private int index = -1;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            owner.Seen = true;
            count = 1;
            this.index = -1;
            return true;
        }

        public override char GetNextChar()
        {
            count--;
            index++;
            return count < 0 ? '\0' : Replacement;
        }

        public override bool MovePrevious()
        {
            if (count < -1 || index < 0) return false;
            index--;
            count++;
            return true;
        }

        public override int Remaining => Math.Max(count, 0);

        public override void Reset()
        {
            count = -1;
            index = -1;
        }
    }
}
