package io.deepnets.serve;

/** A request the server refuses: the HTTP status and one line saying why, sent as {@code {"error": ...}}. */
final class ApiError extends RuntimeException {
    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiError notFound(String what) {
        return new ApiError(404, what);
    }

    static ApiError badRequest(String why) {
        return new ApiError(400, why);
    }
}
