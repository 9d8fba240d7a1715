package kyb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// The audit trail is a hash chain. Each event has a digest of its own
// fields, and a link: its position (Seq, from 1, without gaps), the hash
// of the event before it (PrevHash, empty for the first) and its own
// Hash, ChainHash(PrevHash, Digest). Editing an event breaks its digest;
// deleting one leaves a gap in Seq and a PrevHash that matches nothing;
// rewriting the whole tail from some event on needs the database's owner,
// and shows against a head (Seq and Hash) recorded elsewhere before.

// auditDigestVersion starts every canonical encoding, so that another
// encoding can come later without being confused with this one.
const auditDigestVersion = "onboard.audit.v1"

// AuditDigest is the SHA-256, in hex, of the canonical encoding of an
// event's fields: each one, in a fixed order, as its length in bytes, a
// colon and its bytes, with the time in Unix microseconds, which both
// stores keep exactly.
func AuditDigest(e AuditEvent) string {
	var b strings.Builder
	for _, f := range []string{auditDigestVersion, e.ID, strconv.FormatInt(e.At.UnixMicro(), 10), string(e.Actor.Type), e.Actor.ID, e.Action,
		e.PartnerID, e.CustomerID, e.APIKeyID, string(e.FromStatus), string(e.ToStatus), e.Reason, e.TargetID} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// ChainHash links an event's digest to the hash of the event before it.
// PostgreSQL computes the same in its function audit_chain_hash (migration
// 0022).
func ChainHash(prevHash, digest string) string {
	sum := sha256.Sum256([]byte(prevHash + digest))
	return hex.EncodeToString(sum[:])
}

// AuditLink is an audit event with its place in the chain, as stored.
type AuditLink struct {
	Event    AuditEvent
	Seq      int64
	Digest   string
	PrevHash string
	Hash     string
}

// AuditVerification is what a walk of the audit chain found.
type AuditVerification struct {
	// Rows is how many events the walk checked.
	Rows int64
	// HeadSeq and HeadHash are the last good link: record them elsewhere,
	// and a later rewrite of the chain up to them shows.
	HeadSeq  int64
	HeadHash string
	// Broken is empty when the chain is intact; otherwise it says where
	// the first broken link is and what does not match.
	Broken string
	// BrokenID is the id of the event at the first broken link.
	BrokenID string
}

// auditPage is how many links a verification reads at a time.
const auditPage = 1000

// AuditHead is a link of the chain recorded elsewhere (its seq and hash),
// for a later verification to check that the chain still passes through
// it: that nothing up to it was rewritten and nothing after it removed.
type AuditHead struct {
	Seq  int64
	Hash string
}

// VerifyAudit walks the whole audit chain from its first event and stops
// at the first broken link. A recorded head, when given (Seq above 0),
// must be on the chain.
func (s *Service) VerifyAudit(ctx context.Context, recorded AuditHead) (AuditVerification, error) {
	var v AuditVerification
	for {
		links, err := s.store.AuditChain(ctx, v.HeadSeq, auditPage)
		if err != nil {
			return v, fmt.Errorf("read the audit chain: %w", err)
		}
		for _, l := range links {
			problem := checkLink(l, v.HeadSeq, v.HeadHash)
			if problem == "" && l.Seq == recorded.Seq && l.Hash != recorded.Hash {
				problem = fmt.Sprintf("its hash %s is not the recorded head's %s: the chain up to it was rewritten", short(l.Hash), short(recorded.Hash))
			}
			if problem != "" {
				v.Broken, v.BrokenID = fmt.Sprintf("event %s (seq %d): %s", l.Event.ID, l.Seq, problem), l.Event.ID
				return v, nil
			}
			v.Rows++
			v.HeadSeq, v.HeadHash = l.Seq, l.Hash
		}
		if len(links) < auditPage {
			break
		}
	}
	if v.HeadSeq < recorded.Seq {
		v.Broken = fmt.Sprintf("the chain ends at seq %d, before the recorded head at seq %d: events were deleted from its end", v.HeadSeq, recorded.Seq)
		return v, nil
	}
	total, err := s.store.AuditCount(ctx)
	if err != nil {
		return v, fmt.Errorf("count audit events: %w", err)
	}
	if total != v.Rows {
		v.Broken = fmt.Sprintf("%d audit event(s) are outside the chain (no seq)", total-v.Rows)
	}
	return v, nil
}

// checkLink says what is wrong with a link that follows the one at
// prevSeq with prevHash, or "" when nothing is.
func checkLink(l AuditLink, prevSeq int64, prevHash string) string {
	switch {
	case l.Seq == prevSeq+2:
		return fmt.Sprintf("seq %d missing: events were deleted", prevSeq+1)
	case l.Seq != prevSeq+1:
		return fmt.Sprintf("seq %d to %d missing: events were deleted", prevSeq+1, l.Seq-1)
	case l.PrevHash != prevHash:
		return fmt.Sprintf("prev_hash %s does not match the hash %s of seq %d: the event before it was changed or replaced", short(l.PrevHash), short(prevHash), prevSeq)
	case AuditDigest(l.Event) != l.Digest:
		return "its fields do not match its digest: the event was edited"
	case ChainHash(l.PrevHash, l.Digest) != l.Hash:
		return "its hash does not match its digest and prev_hash: the link was edited"
	}
	return ""
}

func short(hash string) string {
	if hash == "" {
		return `""`
	}
	return hash[:min(len(hash), 12)] + "…"
}
