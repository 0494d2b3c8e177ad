namespace Bridge.Coordination;

/// <summary>One acquisition of a lease by this worker: the concurrency token every write of its shard goes through.</summary>
/// <remarks>
/// A new <see cref="HeldLease"/> is made for each successful take, so a worker that lost a lease and took it
/// back cannot write with the old acquisition: its counter is stale and the conditional write fails.
/// Renewals (coordinator) and checkpoints (the shard's consumer) are serialized by <see cref="_gate"/>, so each
/// write names the counter the previous one produced. Once <see cref="Lost"/> is cancelled it stays cancelled:
/// nothing of this acquisition is written again.
/// <para>
/// Who may declare the lease lost, and why racing declarations are harmless: the coordinator (a renewal refused or
/// unanswered), the consumer (a checkpoint refused, or <see cref="CheckValid"/> finding the lease unconfirmed for a
/// whole duration) and a release. Cancelling is idempotent, and every write first checks <see cref="IsLost"/> under
/// <see cref="_gate"/>, so after the first declaration no write starts. A write already under way when another party
/// declares the loss may still land; it only renews a lease this worker no longer uses, which then expires (or is
/// taken back at once by this worker id, as unowned-by-anyone-else) like any other.
/// </para>
/// </remarks>
public sealed class HeldLease
{
    private readonly ILeaseStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;

    /// <summary>Serializes the holder's writes, so each uses the counter the previous one returned. Never held across anything but one store call.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Cancelled once: the lease was found taken, or not renewed within its duration. Never reset.</summary>
    private readonly CancellationTokenSource _lost = new();

    /// <summary>Cancelled once: another worker asked for this lease (balancing); the consumer drains, checkpoints, and the lease is released.</summary>
    private readonly CancellationTokenSource _handoff = new();

    /// <summary>The lease as last written by this worker; replaced only under <see cref="_gate"/>.</summary>
    private Lease _current;

    /// <summary>Local timestamp at which the last successful write was sent: other workers saw the counter change no earlier.</summary>
    private long _confirmedAt;

    internal HeldLease(ILeaseStore store, Lease taken, long sentAt, TimeSpan duration, TimeProvider time)
    {
        _store = store;
        _current = taken;
        _confirmedAt = sentAt;
        _duration = duration;
        _time = time;
    }

    public Lease Current => Volatile.Read(ref _current);

    public string LeaseKey => _current.LeaseKey;

    /// <summary>Cancelled when the lease is lost: stop reading and sending this shard, write nothing.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>Cancelled when another worker asked for the lease: stop reading, drain, checkpoint, release.</summary>
    public CancellationToken HandoffRequested => _handoff.Token;

    /// <summary>
    /// False once the lease went unconfirmed for its whole duration (a pause, a partition): another worker may
    /// own it already, so the lease is treated as lost even before a write fails.
    /// </summary>
    public bool CheckValid()
    {
        if (!IsLost && _time.GetElapsedTime(Interlocked.Read(ref _confirmedAt)) >= _duration)
        {
            MarkLost();
        }

        return !IsLost;
    }

    /// <summary>Bumps the counter; false when the lease is lost. Store errors throw (the lease is kept until it is no longer valid).</summary>
    public Task<bool> TryRenewAsync(CancellationToken cancellationToken) =>
        WriteAsync((lease, token) => _store.TryRenewAsync(lease, token), cancellationToken);

    /// <summary>Writes a checkpoint fenced by owner and counter; false when the lease is lost (the caller must stop the shard).</summary>
    public Task<bool> TryCheckpointAsync(Checkpoint checkpoint, CancellationToken cancellationToken) =>
        WriteAsync((lease, token) => _store.TryCheckpointAsync(lease, checkpoint, token), cancellationToken);

    /// <summary>Gives the lease up so another worker may take it at once; nothing is written for it afterwards.</summary>
    public async Task<bool> TryReleaseAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsLost)
            {
                return false;
            }

            var released = await _store.TryReleaseAsync(_current, cancellationToken).ConfigureAwait(false);
            MarkLost();
            return released;
        }
        finally
        {
            _gate.Release();
        }
    }

    internal void MarkLost() => _lost.Cancel();

    /// <summary>After a refused write: the stored lease, if it is exactly one write past ours and still ours.</summary>
    /// <remarks>
    /// Only this acquisition writes with this owner at this counter (a take by anyone, this worker included, makes a
    /// new acquisition, and a lost one never writes again; writes here are serialized by <see cref="_gate"/>), so
    /// "owner unchanged, counter + 1" can only be our own earlier write. Anything else is a real loss.
    /// </remarks>
    private async Task<Lease?> EarlierWriteOfThisAcquisitionAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.GetAsync(_current.LeaseKey, cancellationToken).ConfigureAwait(false);
        return stored is not null && stored.Owner == _current.Owner && stored.Counter == _current.Counter + 1 ? stored : null;
    }

    /// <remarks>
    /// <paramref name="cancellationToken"/> only cancels the wait for the gate. The write itself is never cancelled by
    /// the caller (e.g. shutdown in the middle of a checkpoint): a write abandoned mid-flight may still be applied,
    /// leaving this acquisition with a stale counter, and its next write (the final checkpoint) would be refused.
    /// It is bounded by the lease duration instead, past which the lease is no longer valid anyway.
    /// </remarks>
    private async Task<bool> WriteAsync(Func<Lease, CancellationToken, Task<Lease?>> write, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!CheckValid())
            {
                return false;
            }

            var sentAt = _time.GetTimestamp();
            Lease? written;
            using var bounded = new CancellationTokenSource(_duration, _time);
            try
            {
                written = await write(_current, bounded.Token).ConfigureAwait(false);

                // A previous write of ours was applied although its answer never came (it timed out, or the SDK
                // retried an attempt that had landed, and the retry's condition failed): go on from it. The write
                // from there can lose its answer the same way, so this repeats for as many lost answers in a row as
                // come, each one a landed write (the counter moves on every time), within one lease duration.
                while (written is null && await EarlierWriteOfThisAcquisitionAsync(bounded.Token).ConfigureAwait(false) is { } landed)
                {
                    bounded.Token.ThrowIfCancellationRequested();
                    Volatile.Write(ref _current, landed);
                    written = await write(landed, bounded.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (bounded.IsCancellationRequested)
            {
                // Unanswered within a lease duration: whether it was applied is unknown, and the lease is no longer valid.
                MarkLost();
                return false;
            }
            catch (Exception ex) when (TransientFailure.Is(ex))
            {
                CheckValid();
                throw;
            }

            if (written is null)
            {
                MarkLost();
                return false;
            }

            Volatile.Write(ref _current, written);
            Interlocked.Exchange(ref _confirmedAt, sentAt);
            if (written.PendingOwner is { } requester && requester != written.Owner)
            {
                _handoff.Cancel();
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
