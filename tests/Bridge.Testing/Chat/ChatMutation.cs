namespace Bridge.Testing.Chat;

public enum ChatMutationKind
{
    Insert,
    Edit,
    Delete,
}

/// <summary>One change a chat makes to the table: a new message, an edit of one, or its deletion.</summary>
public sealed record ChatMutation(ChatMutationKind Kind, string RoomId, long Ts, string Author, string Body, int Edits);

/// <summary>A reproducible stream of chat mutations over many rooms: mostly new messages, some edits and deletes of live ones.</summary>
public sealed class ChatWorkload(int rooms, int seed = 42)
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, List<(long Ts, int Edits)>> _live = [];
    private long _nextTs = 1;

    public static string RoomName(int index) => $"room-{index:D4}";

    public IEnumerable<ChatMutation> Next(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var room = RoomName(_random.Next(rooms));
            var messages = _live.TryGetValue(room, out var list) ? list : _live[room] = [];
            var roll = _random.NextDouble();
            if (messages.Count > 0 && roll < 0.2)
            {
                var index = _random.Next(messages.Count);
                var (ts, edits) = messages[index];
                messages[index] = (ts, edits + 1);
                yield return new ChatMutation(ChatMutationKind.Edit, room, ts, "user-" + _random.Next(50), $"edited message {ts} v{edits + 1}", edits + 1);
            }
            else if (messages.Count > 0 && roll < 0.3)
            {
                var index = _random.Next(messages.Count);
                var (ts, edits) = messages[index];
                messages.RemoveAt(index);
                yield return new ChatMutation(ChatMutationKind.Delete, room, ts, "", "", edits);
            }
            else
            {
                var ts = _nextTs++;
                messages.Add((ts, 0));
                yield return new ChatMutation(ChatMutationKind.Insert, room, ts, "user-" + _random.Next(50), $"message {ts} in {room}", 0);
            }
        }
    }
}
