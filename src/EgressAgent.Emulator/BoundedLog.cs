namespace EgressAgent.Emulator;

/// <summary>
/// Append-only list that forgets its oldest entries past a cap, so an emulator left running
/// (the <c>emulator</c> command) does not grow without bound. Not thread-safe: owners lock.
/// </summary>
internal sealed class BoundedLog<T>
{
    private readonly List<T> items = [];
    private readonly int capacity;

    public BoundedLog(int capacity) => this.capacity = capacity;

    public int Count => items.Count;

    public T this[int index] => items[index];

    public void Add(T item)
    {
        items.Add(item);
        TrimIfNeeded();
    }

    public void Insert(int index, T item)
    {
        items.Insert(index, item);
        TrimIfNeeded();
    }

    public T[] ToArray() => [.. items];

    private void TrimIfNeeded()
    {
        // Trimming a tenth at a time keeps List.RemoveRange's copy amortised.
        if (items.Count > capacity + (capacity / 10))
        {
            items.RemoveRange(0, items.Count - capacity);
        }
    }
}
