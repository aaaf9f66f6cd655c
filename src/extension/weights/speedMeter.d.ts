export declare class SpeedMeter {
    private readonly windowMs;
    private readonly now;
    private samples;
    constructor(windowMs?: number, now?: () => number);
    /** Records the running byte count; returns bytes per second over the window (0 until two samples). */
    update(bytes: number): number;
}
