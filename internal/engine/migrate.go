package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A MigrateAction says what a migration does with an item.
type MigrateAction int

const (
	MigrateRewrite MigrateAction = iota // write the new item, re-keying it when its key changed
	MigrateSkip                         // leave the item as it is
	MigrateDelete                       // delete the item
)

func (a MigrateAction) String() string {
	switch a {
	case MigrateRewrite:
		return "rewrite"
	case MigrateSkip:
		return "skip"
	case MigrateDelete:
		return "delete"
	}
	return fmt.Sprintf("MigrateAction(%d)", int(a))
}

// A MigratePlan is what the transform made of one stored item.
type MigratePlan struct {
	Action MigrateAction
	Item   map[string]types.AttributeValue // the new item, for MigrateRewrite
	Key    Key                             // its table key
}

// A Migration scans the items of entity From and applies Transform to
// each (see the root package's Migrate for the rules).
type Migration struct {
	From, To  *Schema
	Name      string
	Transform func(ctx context.Context, stored map[string]types.AttributeValue) (MigratePlan, error)

	Segments, PageSize  int
	ReadRate, WriteRate float64 // capacity units per second; 0 for no limit
	Retries             int     // times an item changed by a concurrent write is read again
	Store               CheckpointStore
	DryRun              bool
	Verify              bool
	Progress            func(MigrateProgress)
	ProgressEvery       time.Duration

	known                 []string
	readLimit, writeLimit *CapacityLimiter
	run                   *migrateRun
}

// A MigrateFailure is an item a migration did not migrate, and why.
type MigrateFailure struct {
	Key Key
	Err error
}

// A MigrateChange is a change a dry run would make.
type MigrateChange struct {
	Action MigrateAction
	Old    Key
	New    Key // for MigrateRewrite
}

// A MigrateProgress is a migration's state, reported as it runs.
type MigrateProgress struct {
	MigrateCounts
	Total   int64         // the table's item count (DescribeTable, updated by DynamoDB every few hours)
	Rate    float64       // items scanned per second in this run
	ETA     time.Duration // estimated time left, from Total and Rate; 0 when unknown
	Elapsed time.Duration
	Done    bool
}

// A MigrateReport is what a migration did. Its counts include those of
// the earlier runs its checkpoint resumes (an item of a page a stopped run
// did not finish is counted once, when read again); its capacity is this
// run's.
type MigrateReport struct {
	MigrateCounts
	Failures   []MigrateFailure // the first maxListed
	Changes    []MigrateChange  // of a dry run: the first maxListed
	ReadUnits  float64          // capacity consumed in this run
	WriteUnits float64
	Elapsed    time.Duration
	Verified   *VerifyReport // when asked for
}

const maxListed = 100

// migrateRun is the shared state of one Run.
type migrateRun struct {
	mu         sync.Mutex
	start      time.Time
	total      int64
	checkpoint MigrateCheckpoint
	report     MigrateReport
	scanned    int64 // in this run
	lastReport time.Time
}

// Run runs the migration: every segment from its checkpoint to its end.
func (m *Migration) Run(ctx context.Context) (MigrateReport, error) {
	m.known = knownAttrs(m.From, m.To)
	m.readLimit, m.writeLimit = NewCapacityLimiter(m.ReadRate), NewCapacityLimiter(m.WriteRate)
	r := &migrateRun{start: time.Now()}
	m.run = r
	if err := m.resume(ctx); err != nil {
		return MigrateReport{}, err
	}
	r.total = m.itemCount(ctx)
	var wg sync.WaitGroup
	errs := make([]error, m.Segments)
	for i := range m.Segments {
		if r.checkpoint.Segments[i].Done {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.segment(ctx, i)
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	if err == nil && m.Verify {
		v, verr := m.verify(ctx)
		r.report.Verified, err = &v, verr
	}
	return m.finish(err)
}

// resume loads the checkpoint, or starts one.
func (m *Migration) resume(ctx context.Context) error {
	r := m.run
	r.checkpoint = MigrateCheckpoint{Name: m.Name, Segments: make([]MigrateSegment, m.Segments)}
	if m.Store == nil || m.DryRun {
		return nil
	}
	c, err := m.Store.Load(ctx)
	if err != nil {
		return fmt.Errorf("tablemap: migrate %s: load checkpoint: %w", m.Name, err)
	}
	if c == nil {
		return nil
	}
	if c.Name != m.Name || len(c.Segments) != m.Segments {
		return fmt.Errorf("tablemap: migrate %s: the checkpoint is of migration %q in %d segments, not of this one in %d; nothing was sent: %w", m.Name, c.Name, len(c.Segments), m.Segments, ErrInvalidMigration)
	}
	r.checkpoint = *c
	for _, g := range c.Segments {
		r.report.add(g.Counts)
	}
	return nil
}

// finish completes the report; failed items make ErrMigrationIncomplete.
func (m *Migration) finish(err error) (MigrateReport, error) {
	r := m.run
	r.mu.Lock()
	rep := r.report
	rep.Elapsed = time.Since(r.start)
	r.mu.Unlock()
	m.progress(true)
	if err != nil {
		return rep, fmt.Errorf("tablemap: migrate %s: %w", m.Name, err)
	}
	if rep.Failed > 0 {
		return rep, fmt.Errorf("tablemap: migrate %s: %d items not migrated (first: %v): %w", m.Name, rep.Failed, rep.Failures[0].Err, ErrMigrationIncomplete)
	}
	if v := rep.Verified; v != nil && v.Mismatched > 0 {
		return rep, fmt.Errorf("tablemap: migrate %s: verification: %d items do not match their templates (first: %s: %s): %w", m.Name, v.Mismatched, v.Mismatches[0].Key, v.Mismatches[0].Problem, ErrMigrationIncomplete)
	}
	return rep, nil
}

// itemCount returns the table's item count, or 0 if DescribeTable fails
// (the estimate of time left is all it is for).
func (m *Migration) itemCount(ctx context.Context) int64 {
	out, err := m.From.Table.Client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(m.From.Table.Name)})
	if err != nil || out.Table == nil {
		return 0
	}
	return aws.ToInt64(out.Table.ItemCount)
}

// segment migrates segment i page by page, saving the checkpoint after
// each page.
func (m *Migration) segment(ctx context.Context, i int) error {
	r := m.run
	r.mu.Lock()
	start := r.checkpoint.Segments[i].Last
	r.mu.Unlock()
	for {
		page, err := m.scanPage(ctx, m.From, i, start)
		if err != nil {
			return err
		}
		counts := MigrateCounts{Scanned: page.scanned}
		for _, item := range page.items {
			if err := m.item(ctx, item, &counts); err != nil {
				return err
			}
		}
		if err := m.pageDone(ctx, i, page.last, counts); err != nil {
			return err
		}
		if page.last == nil {
			return nil
		}
		start = page.last
	}
}

// pageDone adds a page's counts and saves the checkpoint.
func (m *Migration) pageDone(ctx context.Context, i int, last map[string]types.AttributeValue, counts MigrateCounts) error {
	r := m.run
	r.mu.Lock()
	g := &r.checkpoint.Segments[i]
	g.Last, g.Done = last, last == nil
	g.Counts.add(counts)
	r.report.add(counts)
	r.scanned += counts.Scanned
	var err error
	if m.Store != nil && !m.DryRun {
		// Saved under the lock: saves are in order, each of a whole state.
		c := r.checkpoint
		c.Segments = append([]MigrateSegment(nil), c.Segments...)
		err = m.Store.Save(ctx, &c)
	}
	r.mu.Unlock()
	m.progress(false)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// progress reports the state to the callback: at most every ProgressEvery,
// and at the end.
func (m *Migration) progress(done bool) {
	if m.Progress == nil {
		return
	}
	r := m.run
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if !done && now.Sub(r.lastReport) < m.ProgressEvery {
		return
	}
	r.lastReport = now
	p := MigrateProgress{MigrateCounts: r.report.MigrateCounts, Total: r.total, Elapsed: now.Sub(r.start), Done: done}
	if secs := p.Elapsed.Seconds(); secs > 0 {
		p.Rate = float64(r.scanned) / secs
	}
	if left := p.Total - p.Scanned; p.Rate > 0 && left > 0 && !done {
		p.ETA = time.Duration(float64(left) / p.Rate * float64(time.Second))
	}
	m.Progress(p)
}

func (m *Migration) spend(read, write float64) {
	r := m.run
	r.mu.Lock()
	r.report.ReadUnits += read
	r.report.WriteUnits += write
	r.mu.Unlock()
}

// typeFilter is the scan filter keeping the entity's items (see
// recognitionFilter); ok is false for an entity recognised by the shape of
// its keys, whose items the scan tells apart itself (see scanPage).
func typeFilter(s *Schema) (e expression.Expression, ok bool, err error) {
	c, ok := recognitionFilter(s.Table, []*Schema{s})
	if !ok {
		return e, false, nil
	}
	e, err = expression.NewBuilder().WithFilter(c).Build()
	return e, true, err
}
