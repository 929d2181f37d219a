namespace GlmmGpu.Data.Csv;

/// <summary>
/// Parses a file without quotes in parts cut at line feeds (<see cref="FileChunks"/>), one thread per part, each with
/// its own reader and column builders, and joins the parts into the table that reading the file in one go gives.
/// Parsing numbers is most of a load's work and each part's is independent, so on c cores a large file loads in about
/// 1/c of the time. A part's numbers go straight to their place in the whole column (<see cref="CsvColumnBuilder.ForWindow"/>),
/// so memory is as in one pass.
/// </summary>
internal static class ChunkedCsvReader
{
    /// <summary>The table, or null when the file must be read in one go after all: a part held more records than line
    /// feeds, as a file with bare carriage-return line ends does.</summary>
    public static DataTable? TryRead(string path, FileChunks scan, CsvOptions options, string source)
    {
        var chunks = scan.Chunks;
        var headerText = CsvLoader.OpenFile(path, chunks[0].Start, chunks[0].Length);
        var headerUtf8 = InvalidUtf8Detector.Of(headerText);
        var header = CsvRecordReader.Open(headerText, source);
        List<SelectedField> fields;
        int fieldCount = header.FieldCount;
        try
        {
            fields = CsvLoader.SelectFields(header, options, source, headerUtf8);
        }
        catch
        {
            header.Dispose();
            throw;
        }

        var offsets = new int[chunks.Length + 1];
        for (int k = 0; k < chunks.Length; k++) offsets[k + 1] = checked(offsets[k] + chunks[k].Capacity);
        var shared = new double[fields.Count][];
        for (int c = 0; c < shared.Length; c++) shared[c] = new double[offsets[^1]];
        var parts = new CsvColumnBuilder[chunks.Length][];
        var rows = new int[chunks.Length];
        var failures = new Exception?[chunks.Length];
        Parallel.For(0, chunks.Length, k =>
        {
            var chunk = chunks[k];
            parts[k] = new CsvColumnBuilder[fields.Count];
            for (int c = 0; c < fields.Count; c++)
                parts[k][c] = CsvColumnBuilder.ForWindow(fields[c].Name, fields[c].Field, shared[c], offsets[k], chunk.Capacity);
            try
            {
                var text = k == 0 ? headerText : CsvLoader.OpenFile(path, chunk.Start, chunk.Length);
                using var reader = k == 0 ? header : CsvRecordReader.Open(text, source, hasHeaders: false, chunk.FirstLine);
                rows[k] = CsvRecordReader.ReadAll(reader, parts[k], null, source, fieldCount, InvalidUtf8Detector.Of(text), chunk.FirstLine, chunk.Capacity);
            }
            catch (Exception e)
            {
                // The first part's error in file order is the one reading in one go would report.
                failures[k] = e;
            }
        });
        foreach (var failure in failures)
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        int total = 0;
        foreach (int r in rows)
        {
            if (r < 0) return null;
            total += r;
        }
        var columns = new DataColumn[fields.Count];
        var retry = new List<CsvColumnBuilder>();
        var retryColumns = new List<int>();
        var pieces = new CsvColumnBuilder[chunks.Length];
        for (int c = 0; c < fields.Count; c++)
        {
            int numeric = 0, text = 0;
            for (int k = 0; k < pieces.Length; k++)
            {
                pieces[k] = parts[k][c];
                if (pieces[k].IsText) text++;
                else if (!pieces[k].NeedsTextPass) numeric++;
            }
            if (numeric == pieces.Length)
                columns[c] = JoinNumbers(fields[c].Name, shared[c], pieces, offsets, total);
            else if (text == pieces.Length)
                columns[c] = JoinText(fields[c].Name, pieces, total);
            else
            {
                // Numbers in one part and text in another: the column is text, with the numbers as written.
                shared[c] = [];
                retry.Add(new CsvColumnBuilder(fields[c].Name, fields[c].Field, 0));
                retryColumns.Add(c);
            }
        }
        CsvLoader.ReadAsText(() => CsvLoader.OpenFile(path, 0, long.MaxValue), source, retry, total);
        for (int i = 0; i < retry.Count; i++) columns[retryColumns[i]] = retry[i].Build(total, findNonNumeric: true);
        return new DataTable(columns);
    }

    /// <summary>Moves each part's numbers down to follow the part before (a part with blank lines filled less than its
    /// window) and trims the array to the rows read.</summary>
    private static NumericColumn JoinNumbers(string name, double[] values, CsvColumnBuilder[] pieces, int[] offsets, int total)
    {
        bool[]? nonFinite = null;
        int at = 0;
        for (int k = 0; k < pieces.Length; k++)
        {
            int count = pieces[k].Count;
            if (at != offsets[k]) Array.Copy(values, offsets[k], values, at, count);
            if (pieces[k].NonFiniteFlags is { } flags)
            {
                nonFinite ??= new bool[total];
                Array.Copy(flags, 0, nonFinite, at, count);
            }
            at += count;
        }
        Array.Resize(ref values, total);
        return new NumericColumn(name, values, nonFinite);
    }

    /// <summary>Joins the parts of a text column (a file read in parts has no quotes, so every text column is checked
    /// for mostly numbers, as <see cref="CsvColumnBuilder.Build"/> checks an unquoted one).</summary>
    private static StringColumn JoinText(string name, CsvColumnBuilder[] pieces, int total)
    {
        var values = new string?[total];
        int at = 0;
        foreach (var piece in pieces)
        {
            Array.Copy(piece.Strings!, 0, values, at, piece.Count);
            at += piece.Count;
        }
        return new StringColumn(name, values, TextValues.FindNonNumeric(values, total, pieces.Select(p => p.Levels!).ToArray()));
    }
}
