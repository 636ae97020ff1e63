package dynamotest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
)

const (
	port = "8000/tcp"
	// ryukImage is the reaper testcontainers v0.44.0 runs unless disabled.
	ryukImage = "testcontainers/ryuk:0.14.0"
	// watchEnv names the container a watcher process removes once its parent dies.
	watchEnv = "DYNAMOTEST_WATCH_CONTAINER"
)

// startContainer runs DynamoDB Local in a container and returns its endpoint
// and a function that removes the container.
func startContainer(ctx context.Context) (string, func() error, error) {
	configureTestcontainers()
	image := chooseImage(ctx)
	c, err := testcontainers.Run(ctx, image,
		testcontainers.WithExposedPorts(port),
		// Both the official image (entrypoint java, workdir with the jar) and
		// the provisioned one (entrypoint java -Djava.library.path=…) take this.
		testcontainers.WithCmd("-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb"),
		testcontainers.WithLabels(map[string]string{"org.tablemap.dynamotest": "true"}),
		// An HTTP probe from the host: the provisioned image has no shell for
		// an in-container port check. DynamoDB answers / with a 400.
		testcontainers.WithWaitStrategy(wait.ForHTTP("/").WithPort(port).
			WithStatusCodeMatcher(func(int) bool { return true }).
			WithStartupTimeout(2*time.Minute)),
	)
	if err != nil {
		if c != nil {
			_ = testcontainers.TerminateContainer(c)
		}
		return "", nil, fmt.Errorf("start DynamoDB Local from image %s (set DYNAMODB_LOCAL_IMAGE, or run scripts/provision): %w", image, err)
	}
	watcher := spawnWatcher(c.GetContainerID())
	stop := func() error {
		err := testcontainers.TerminateContainer(c)
		if watcher != nil {
			_ = watcher.Process.Kill()
			_, _ = watcher.Process.Wait()
		}
		return err
	}
	host, err := c.Host(ctx)
	if err == nil {
		var p interface{ Port() string }
		p, err = c.MappedPort(ctx, port)
		if err == nil {
			return "http://" + net.JoinHostPort(host, p.Port()), stop, nil
		}
	}
	_ = stop()
	return "", nil, fmt.Errorf("DynamoDB Local container endpoint: %w", err)
}

// Quiet silences testcontainers' progress log, for programs (the examples)
// whose output is read by people; tests keep it, as go test shows it only
// for failures or with -v.
func Quiet() { tclog.SetDefault(tclog.NewNoopLogger()) }

// configureTestcontainers points testcontainers at this machine. Inside a
// container-like sandbox (a /.dockerenv file) it would otherwise take the
// default gateway, an outside address, for the Docker host. Ryuk stays off
// unless its image is already here: it cannot be pulled everywhere, and the
// watcher process does its job.
func configureTestcontainers() {
	dockerHost := os.Getenv("DOCKER_HOST")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && (dockerHost == "" || strings.HasPrefix(dockerHost, "unix://")) {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" && !imagePresent(context.Background(), ryukImage) {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

// chooseImage prefers DYNAMODB_LOCAL_IMAGE, then whichever of the official
// and the provisioned image is present, so no pull is attempted needlessly.
func chooseImage(ctx context.Context) string {
	if img := os.Getenv("DYNAMODB_LOCAL_IMAGE"); img != "" {
		return img
	}
	for _, img := range []string{OfficialImage, LocalImage} {
		if imagePresent(ctx, img) {
			return img
		}
	}
	return OfficialImage
}

func imagePresent(ctx context.Context, image string) bool {
	cli, err := dockerClient()
	if err != nil {
		return false
	}
	defer cli.Close()
	_, err = cli.ImageInspect(ctx, image)
	return err == nil
}

// dockerClient is a plain Docker client: testcontainers reads its own
// configuration once, on its first client, which must come after
// configureTestcontainers has set the environment.
func dockerClient() (*client.Client, error) {
	return client.New(client.FromEnv)
}

// spawnWatcher starts this same executable as a watcher (see init) that
// removes the container when this process dies without doing so itself.
func spawnWatcher(containerID string) *exec.Cmd {
	self, err := os.Executable()
	if err != nil {
		return nil
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), watchEnv+"="+containerID+":"+strconv.Itoa(os.Getpid()))
	// Its own session, so a signal to the test's process group spares it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil
	}
	return cmd
}

// init turns a process started by spawnWatcher into the watcher before any
// test or main function runs.
func init() {
	v := os.Getenv(watchEnv)
	if v == "" {
		return
	}
	id, pid, ok := strings.Cut(v, ":")
	parent, err := strconv.Atoi(pid)
	if !ok || err != nil {
		os.Exit(2)
	}
	os.Exit(watch(id, parent))
}

// watch waits until the parent process is gone, then removes the container.
func watch(containerID string, parent int) int {
	for syscall.Kill(parent, 0) == nil {
		time.Sleep(500 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cli, err := dockerClient()
	if err != nil {
		return 1
	}
	defer cli.Close()
	_, err = cli.ContainerRemove(ctx, containerID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !strings.Contains(strings.ToLower(err.Error()), "no such container") {
		return 1
	}
	return 0
}
