namespace Bridge.Testing;

/// <summary>Sits between the wire clients and the real handler: records every request and applies scripted
/// <see cref="Fault"/>s in order, passing everything unscripted through.</summary>
/// <remarks>Neither Kinesis emulator throttles or fails entries, so this is how failure paths are driven through the
/// real client code. A fault is used up by the first request whose operation it matches.</remarks>
public sealed class FaultInjectingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly object _gate = new();

    /// <summary>Faults not yet used, in the order they were scripted. Guarded by <see cref="_gate"/>.</summary>
    private readonly List<Fault> _script = [];

    /// <summary>Every request seen, faulted or not. Guarded by <see cref="_gate"/>.</summary>
    private readonly List<RecordedRequest> _requests = [];

    /// <summary>Completed by the request that brings the count to the awaited number; see <see cref="WaitForRequestsAsync"/>.</summary>
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

    /// <summary>Over a fresh pooled <see cref="SocketsHttpHandler"/>.</summary>
    public FaultInjectingHandler() : this(new SocketsHttpHandler())
    {
    }

    public void Enqueue(params Fault[] faults)
    {
        lock (_gate)
        {
            _script.AddRange(faults);
        }
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>How many requests of <paramref name="operation"/> were sent (attempts, not calls).</summary>
    public int CountOf(string operation) => Requests.Count(r => r.Operation == operation);

    /// <summary>Completes once <paramref name="count"/> requests in total have been seen.</summary>
    public Task WaitForRequestsAsync(int count)
    {
        lock (_gate)
        {
            if (_requests.Count >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var recorded = await RecordedRequest.CaptureAsync(request, cancellationToken).ConfigureAwait(false);
        Fault? fault;
        List<TaskCompletionSource> reached;
        lock (_gate)
        {
            _requests.Add(recorded);
            var index = _script.FindIndex(f => f.Operation is null || f.Operation == recorded.Operation);
            fault = index >= 0 ? _script[index] : null;
            if (index >= 0)
            {
                _script.RemoveAt(index);
            }

            reached = _waiters.Where(w => w.Count <= _requests.Count).Select(w => w.Reached).ToList();
            _waiters.RemoveAll(w => w.Count <= _requests.Count);
        }

        // Completed outside the lock: a continuation could otherwise re-enter it.
        reached.ForEach(r => r.TrySetResult());
        return fault is null
            ? await base.SendAsync(request, cancellationToken).ConfigureAwait(false)
            : await fault.Act(request, (r, ct) => base.SendAsync(r, ct), cancellationToken).ConfigureAwait(false);
    }
}
